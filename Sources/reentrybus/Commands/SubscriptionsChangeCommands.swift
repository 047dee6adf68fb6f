import ArgumentParser
import Contracts
import Directory
import Foundation
import Subscriptions

/// `reentrybus subscriptions renew ID`: a new expiry, at most one year from now.
struct SubscriptionsRenew: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Renew a subscription until --until (default and latest: one year from now).",
        discussion: """
            Only an active subscription that has not expired is renewed (an expired one is added \
            again, stating its purpose and basis anew); its agencies must still be in the agency \
            directory. The renewal is recorded with who made it.
            """)

    @Argument(help: "The subscription's id, as `add` printed it.")
    var id: String

    @Option(help: ArgumentHelp("The new expiry, YYYY-MM-DD (00:00 UTC) or RFC 3339 (default: one year from now).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Who renews it: officer:ID or operator:ID.", valueName: "kind:id"))
    var by: String

    @OptionGroup var bus: SubscriptionsBusOptions

    func validate() throws {
        if let until { _ = try parseMoment(until, option: "--until") }
    }

    func run() async throws {
        let moment = Date()
        let until = try self.until.map { try parseMoment($0, option: "--until") }
        let bus = try bus.connect("renew")
        try await reportingFailures("renew") {
            let recorded = try await SubscriptionsChange.find(id, on: bus)
            let directory = try await bus.directory()
            let renewed: Subscription
            do {
                renewed = try SubscriptionRules(moment: moment, directory: directory).renew(recorded.subscription, until: until, by: by)
            } catch {
                throw SubscriptionsFailure.badInput("refused: \(error)")
            }
            _ = try await bus.publish(renewed, source: recorded.source, at: moment)
            print("subscription \(renewed.id) renewed until \(EventCodec.formatInstant(renewed.expiresAt))")
        }
    }
}

/// `reentrybus subscriptions cancel ID --by …`: the subscription routes nothing more, for good.
struct SubscriptionsCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a subscription for good.",
        discussion: "The cancellation is recorded with who made it, when and why; a cancelled subscription stays listed.")

    @Argument(help: "The subscription's id, as `add` printed it.")
    var id: String

    @Option(help: ArgumentHelp("Who cancels it: officer:ID or operator:ID.", valueName: "kind:id"))
    var by: String

    @Option(help: ArgumentHelp("Why it is cancelled.", valueName: "text"))
    var reason: String?

    @OptionGroup var bus: SubscriptionsBusOptions

    func run() async throws {
        let moment = Date()
        let bus = try bus.connect("cancel")
        try await reportingFailures("cancel") {
            let recorded = try await SubscriptionsChange.find(id, on: bus)
            let cancelled: Subscription
            do {
                // Cancelling needs no directory: an agency that left may still end its subscriptions.
                cancelled = try SubscriptionRules(moment: moment, directory: AgencyDirectory())
                    .cancel(recorded.subscription, by: by, reason: reason)
            } catch {
                throw SubscriptionsFailure.badInput("refused: \(error)")
            }
            _ = try await bus.publish(cancelled, source: recorded.source, at: moment)
            print("subscription \(cancelled.id) cancelled")
        }
    }
}

/// What `renew` and `cancel` share.
enum SubscriptionsChange {
    /// The subscription `id` as the topic holds it; an unknown id is bad input.
    static func find(_ id: String, on bus: SubscriptionsBus) async throws -> RecordedSubscription {
        let subscriptions = try await bus.subscriptions()
        guard let found = subscriptions[id.lowercased()] else {
            throw SubscriptionsFailure.badInput(
                "there is no subscription \(id) on \(BusTopic.subscriptions); `reentrybus subscriptions list` shows them")
        }
        return found
    }
}
