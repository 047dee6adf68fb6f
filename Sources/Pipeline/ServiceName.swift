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

    public var description: String { rawValue }

    /// Downstream services first: a `ServiceGroup` stops its services in reverse order, so the
    /// services that produce notifications stop before the inbox that reads them.
    var startOrder: Int {
        switch self {
        case .inbox: 0
        case .views: 1
        case .feeds: 2  // beside the warrant resolver: both only send notifications
        case .warrantResolver: 2
        case .router: 3
        }
    }
}
