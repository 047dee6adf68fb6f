import ServiceKit

/// Says whether the process is ready for work, for `GET /health/ready` (a container
/// orchestrator's readiness or health check).
///
/// The check returns the names of what is not ready yet: an empty list means ready. Names are
/// component names (services), never data. It is called on every request, so it must be cheap
/// and must not block.
public struct ReadinessCheck: Sendable {
    /// Names of what is not ready yet; empty when ready.
    public let pending: @Sendable () -> [String]

    public init(_ pending: @escaping @Sendable () -> [String]) {
        self.pending = pending
    }

    /// Ready as soon as the process runs (a process with nothing to wait for, e.g. a broker).
    public static let always = ReadinessCheck { [] }

    /// Ready once every service has joined its consumer group (`ServiceProgress.Snapshot.joinedGroup`:
    /// an assignment was received, possibly empty when there are more instances than
    /// partitions). A rebalance later does not make it unready: the service is still a member.
    public static func servicesJoined(_ services: [String: ServiceProgress]) -> ReadinessCheck {
        ReadinessCheck {
            services.filter { !$0.value.snapshot.joinedGroup }.map(\.key).sorted()
        }
    }
}
