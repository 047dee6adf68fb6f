/// The pipeline's services, as `reentrybus serve` names them. Each keeps its state in
/// `<data directory>/<name>.sqlite` and consumes as the group `<group prefix>.<name>`.
public enum ServiceName: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Supervision cases; "supervisee arrested" to the supervising officer.
    case router
    /// Active warrants; a warrant check per release, to courts and police.
    case warrantResolver = "warrant-resolver"
    /// The notifications of `bus.notifications`, by recipient.
    case inbox
    /// Every agency's read models: caseloads, the police view, the release board, the
    /// high-needs list, the court view (`reentrybus view …`).
    case views
    /// Feed liveness: each agency's feeds against their cadence; alarms when one falls silent.
    case feeds
    /// The person index: links each person's records across agencies and publishes its
    /// decisions on `bus.identity`.
    case personIndex = "person-index"
    /// The bus's clock: one tick a minute on `bus.timers`. Not a consumer: it keeps no state
    /// (no database, no group) and is never replayed.
    case scheduler
    /// The HTTP gateway: ingest for systems that cannot speak Kafka, the inbox over HTTP.
    /// Not a consumer: it writes agency events and acknowledgements, reads the inbox's
    /// database, and keeps the outcomes of what it ingested in its own. Runs only with
    /// `ApplicationConfiguration.gateway` set.
    case gateway

    public var description: String { rawValue }

    /// Whether it is a consumer of the bus (an `EventConsumerService` with a database): every
    /// service but the scheduler.
    public var isConsumer: Bool { self != .scheduler && self != .gateway }

    /// The services that run without settings of their own: every one but the gateway, which
    /// needs its keys and listen address (`ApplicationConfiguration.gateway`).
    public static var pipeline: [ServiceName] { allCases.filter { $0 != .gateway } }

    /// The consumers, in declaration order.
    public static var consumers: [ServiceName] { allCases.filter(\.isConsumer) }

    /// Downstream services first: a `ServiceGroup` stops its services in reverse order, so the
    /// services that produce notifications stop before the inbox that reads them.
    var startOrder: Int {
        switch self {
        case .inbox: 0
        case .views: 1
        case .feeds: 2  // beside the warrant resolver: both only send notifications
        case .warrantResolver: 2
        case .personIndex: 2  // its events have no reader among the services yet
        case .router: 3
        case .scheduler: 4
        case .gateway: 5  // stopped first: no new request reaches the bus while it drains
        }
    }
}
