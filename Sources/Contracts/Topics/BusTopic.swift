/// The bus's own topics: what the services produce, as opposed to the agencies' topics.
///
/// This is the one place in code that names them. Each has a contract in `Topics/` like the
/// agencies' topics, and `topics apply` creates them with the others.
public enum BusTopic {
    /// Notifications routed to a recipient (officer, agency), keyed by recipient.
    public static let notifications = "bus.notifications"
    /// Messages a service could not use, with the reason in a header and the original bytes.
    public static let deadLetters = "bus.dead-letters"
    /// Explicit subscriptions (compacted by subscription id): who follows which person, place
    /// or agency's feed, why, on what basis, until when.
    public static let subscriptions = "bus.subscriptions"
    /// The bus's clock: one tick a minute from the scheduler, read by every rule that depends
    /// on time instead of a wall clock.
    public static let timers = "bus.timers"
    /// Acknowledgements of notifications (keyed by notification id): who acknowledged which
    /// notification and when; an acknowledged urgent notification is not escalated further.
    public static let notificationAcks = "bus.notification-acks"
    /// The warrant check of each release (keyed by release id): clear, pending or hold, with
    /// its warrants, detainers and deadlines, for the jail and prison systems that release.
    public static let warrantChecks = "bus.warrant-checks"

    /// The audit ledger: one entry per disclosure of people's data (who, why, about whom, which
    /// fields by classification, never the values), each chained to the one before by SHA-256.
    public static let audit = "bus.audit"

    /// The person index's decisions (keyed by person id): records linked, persons merged or
    /// split, pairs sent to review, human decisions. Written by the person index only.
    public static let identity = "bus.identity"
    /// Reviewers' decisions about pairs of person records (link or distinct), one partition, kept
    /// for ever: the person index applies them and announces the result on ``identity``.
    public static let personDecisions = "bus.person-decisions"

    /// Every bus topic, in a stable order.
    public static let all = [notifications, deadLetters, subscriptions, timers, notificationAcks, warrantChecks, audit, identity, personDecisions]
}
