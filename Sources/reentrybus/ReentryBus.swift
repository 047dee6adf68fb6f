import ArgumentParser

/// `reentrybus`: the command-line entry to ReentryBus. The root only lists the subcommands;
/// each lives in `Commands/`.
@main
struct ReentryBus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reentrybus",
        abstract: "Information sharing between supervision, corrections, courts and police, over Kafka.",
        subcommands: [
            Broker.self,
            Bench.self,
            Topics.self, Publish.self, SubscriptionsCommand.self,
            Dev.self, Serve.self, Inbox.self, Ack.self, View.self, FeedsCommand.self, WarrantChecksCommand.self, ReplayCommand.self,
            AuditCommand.self, WebhooksCommand.self, Config.self,
            PersonsCommand.self,
        ]
    )
}
