import Contracts
import Notifications
import ServiceKit
import Storage
import Subscriptions

/// One family of the router's rules: the topics it reads beyond the router's own, the facts it
/// keeps (its tables), and how an event — or a tick of the bus's clock — becomes notifications.
///
/// The router (`RouterProjection`) keeps what every family needs — the supervision cases with
/// their officer, registered address and household (`RouterStore`), and the explicit
/// subscriptions (`SubscriptionStore`) — and applies each event to that first. Then it hands the
/// event to every family that handles it, in the order of `RouterProjection.ruleSets`, inside the
/// same batch transaction: a family sees a started case already stored when it looks for facts
/// it kept that the case now covers. Families keep apart: each has its own tables (migration ids
/// prefixed with its name) and never writes another's.
///
/// Like every projection, a family is deterministic in the event and the database: no clock
/// (time comes from `TimerTick`s on `bus.timers`), no randomness; notification ids derive from
/// the source event, rule, scope and recipient, so a replay or a redelivery sends nothing twice.
protocol RouterRuleSet: Sendable {
    /// Topics it reads besides the router's own (`supervision.cases`, `records.sealing`,
    /// `bus.subscriptions`).
    var topics: [String] { get }
    /// Those of `topics` every router instance reads in full (topics not keyed by the person's
    /// state ID with the cases' partition count — incidents, investigations — and the clock).
    var referenceTopics: [String] { get }
    /// Its tables' migration steps, appended after the router's own. Never edit a shipped step.
    var migrations: [StorageMigration] { get }
    func handles(eventType: String) -> Bool
    /// Applies one event (the router has applied it to the cases and subscriptions already).
    func apply(_ event: AdmittedEvent, in context: RouterContext) throws
    /// Removes what `order` covers from its own tables (the router removes the cases, the
    /// subscriptions and the notifications sent about the person).
    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally
    /// Forgets at most `limit` rows of each of its tables due before `now` (the event clock).
    func forget(before now: Int64, limit: Int, in context: RouterContext) throws
}

extension RouterRuleSet {
    var referenceTopics: [String] { [] }
    var migrations: [StorageMigration] { [] }
    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally { SealingTally() }
    func forget(before now: Int64, limit: Int, in context: RouterContext) throws {}
}

/// What a rule family works with while it applies one event: the batch's transaction, the
/// router's cases, the subscriptions, and a way to send.
struct RouterContext {
    let transaction: ProjectionTransaction
    let signingKey: NotificationSigningKey

    /// The supervision cases (and the router's kept arrests).
    var cases: RouterStore { RouterStore(transaction.storage) }
    /// The explicit subscriptions (`bus.subscriptions`).
    var subscriptions: SubscriptionStore { SubscriptionStore(transaction.storage) }
    /// The transaction's storage, for a family's own store.
    var storage: any StorageTransaction { transaction.storage }

    /// Signs and queues `notifications` (each id at most once); `forgetAfterMilliseconds` is when
    /// the record of having sent them may go (the source topic can no longer redeliver the event).
    func send(_ notifications: [BusNotification], forgetAfterMilliseconds: Int64?) throws {
        try NotificationOutbox.emit(notifications, signedWith: signingKey, forgetAfterMilliseconds: forgetAfterMilliseconds, in: transaction)
    }
}
