import ArgumentParser
import ServiceKit

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

    /// Parses the arguments and runs the command, as `AsyncParsableCommand`'s own `main` does,
    /// after starting the watch that ends a child of a test or benchmark with its parent
    /// (`ParentProcessWatch`).
    static func main() async {
        ParentProcessWatch.startIfAsked()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
