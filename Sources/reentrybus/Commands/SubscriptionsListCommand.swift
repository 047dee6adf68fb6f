import ArgumentParser
import Contracts
import Foundation
import Subscriptions

/// `reentrybus subscriptions list`: the subscriptions on `bus.subscriptions`, read in full, as
/// they stand at a moment.
struct SubscriptionsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List subscriptions (all, one subscriber's, or those expiring soon).",
        discussion: """
            Reads bus.subscriptions in full. Each subscription's STATE is what it is at --as-of \
            (default: now): active, not started, expired or cancelled. --expiring-within keeps the \
            active ones whose expiry falls within that many days (the subscriber is told 30 days \
            before). --json prints each subscription's whole state as the contract describes it, \
            with its state, for machines; it includes the purpose and the basis, which may be \
            criminal intelligence.
            """)

    @Option(help: ArgumentHelp("Only this subscriber's, kind:id (officer:…, unit:…, agency:…).", valueName: "kind:id"))
    var subscriber: String?

    @Option(help: ArgumentHelp("Only active subscriptions expiring within this many days of --as-of, e.g. 30d.", valueName: "days"))
    var expiringWithin: DayWindow?

    @Option(help: ArgumentHelp("The moment asked about, YYYY-MM-DD (00:00 UTC) or RFC 3339 (default: now).", valueName: "time"))
    var asOf: String?

    @Flag(help: "Print the subscriptions as JSON (one document) instead of a table.")
    var json = false

    @OptionGroup var bus: SubscriptionsBusOptions

    func validate() throws {
        if let subscriber, Subscriber(subscriber) == nil {
            throw ValidationError("--subscriber \(subscriber) is not kind:id with a kind among officer, unit, agency, e.g. officer:PP-KC-118.")
        }
        if let asOf { _ = try parseMoment(asOf, option: "--as-of") }
    }

    /// One line of the list: the state at the moment asked about, and the whole subscription.
    struct Listed: Encodable {
        var state: String
        var subscription: SubscriptionRecorded
    }

    func run() async throws {
        let moment = try asOf.map { try parseMoment($0, option: "--as-of") } ?? Date()
        let bus = try bus.connect("list")
        try await reportingFailures("list") {
            var subscriptions = try await bus.subscriptions().values.map(\.subscription)
            if let subscriber = subscriber.flatMap(Subscriber.init) {
                subscriptions = subscriptions.filter { $0.subscriber == subscriber }
            }
            if let days = expiringWithin?.days {
                let end = moment.addingTimeInterval(Double(days) * 86_400)
                subscriptions = subscriptions.filter { $0.status == .active && $0.effectiveExpiry > moment && $0.effectiveExpiry <= end }
                subscriptions.sort { ($0.effectiveExpiry, $0.id) < ($1.effectiveExpiry, $1.id) }
            } else {
                subscriptions.sort { ($0.subscriber.description, $0.id) < ($1.subscriber.description, $1.id) }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .custom { date, encoder in
                    var container = encoder.singleValueContainer()
                    try container.encode(EventCodec.formatInstant(date))
                }
                let listed = subscriptions.map { Listed(state: Self.state($0, at: moment), subscription: $0.recorded) }
                print(String(decoding: try encoder.encode(listed), as: UTF8.self))
                return
            }
            var table = TextTable("ID", "SUBSCRIBER", "FOLLOWS", "EVENTS", "BASIS", "EXPIRES", "STATE")
            for subscription in subscriptions {
                table.add(
                    subscription.id, subscription.subscriber.description, subscription.subject.description,
                    subscription.eventKinds.map(\.rawValue).joined(separator: ","), subscription.legalBasis.basis.rawValue,
                    ViewFormat.minute(subscription.effectiveExpiry), Self.state(subscription, at: moment))
            }
            let scope = [
                subscriber.map { "for \($0)" },
                expiringWithin.map { "expiring within \($0.days) days of \(ViewFormat.minute(moment))" },
            ].compactMap { $0 }
            print(table.render(empty: (["No subscriptions"] + scope).joined(separator: " ") + "."), terminator: "")
        }
    }

    /// `active`, `not started`, `expired` or `cancelled` at `moment`.
    static func state(_ subscription: Subscription, at moment: Date) -> String {
        if subscription.status == .cancelled { return "cancelled" }
        if moment < subscription.startsAt { return "not started" }
        return subscription.isActive(asOf: moment) ? "active" : "expired"
    }
}
