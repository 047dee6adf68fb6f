import ServiceKit

/// Why an application could not be built, could not start, or did not stop in time. Each case
/// names the setting or the services concerned; none carries event contents.
public enum ApplicationError: Error, CustomStringConvertible, Sendable {
    /// A setting of `ApplicationConfiguration` cannot work (`field` names it).
    case invalidConfiguration(field: String, reason: String)
    /// No broker answered a metadata request within `timeout`: the address refuses, does not
    /// resolve, or is not Kafka. `reason` is the client's last error.
    case brokerUnreachable(bootstrapServers: [String], timeout: Duration, reason: String)
    /// The broker answered, but creating the topics failed (not authorised, a broker error).
    case topicSetupFailed(reason: String)
    /// A service's database cannot be opened or is damaged; `error` names the file and what to do.
    case databaseUnusable(service: String, error: ServiceDatabaseError)
    /// A service failed with `error`; the others were shut down gracefully.
    case serviceFailed(service: String, error: any Error)
    /// Graceful shutdown passed its deadline. `notStopped` were asked to stop and had not
    /// stopped when the group was cancelled; `cancelledUnasked` were cancelled before their turn
    /// to be asked (services stop one by one, in reverse order of start).
    case shutdownDeadlineExceeded(deadline: Duration, notStopped: [String], cancelledUnasked: [String])

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let reason):
            "invalid configuration: \(field) \(reason)"
        case .brokerUnreachable(let servers, let timeout, let reason):
            "no Kafka broker answered at \(servers.joined(separator: ",")) within \(Self.format(timeout)) (\(reason)); "
                + "check the bootstrap address and that the broker runs, or raise the connect timeout"
        case .topicSetupFailed(let reason):
            "the topics could not be set up: \(reason)"
        case .databaseUnusable(let service, let error):
            "the \(service) service cannot start: \(error)"
        case .serviceFailed(let service, let error):
            "service \(service) failed: \(error)"
        case .shutdownDeadlineExceeded(let deadline, let notStopped, let cancelledUnasked):
            "graceful shutdown passed its deadline of \(Self.format(deadline)): "
                + (notStopped.isEmpty ? "" : "\(notStopped.joined(separator: ", ")) did not stop and \(notStopped.count == 1 ? "was" : "were") cancelled")
                + (cancelledUnasked.isEmpty ? "" : (notStopped.isEmpty ? "" : "; ")
                    + "\(cancelledUnasked.joined(separator: ", ")) \(cancelledUnasked.count == 1 ? "was" : "were") cancelled before being asked to stop")
        }
    }

    /// `30 s`, `1.5 s`, `250 ms`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 1_000 == 0 { return "\(milliseconds / 1_000) s" }
        if milliseconds < 1_000 { return "\(milliseconds) ms" }
        return "\(Double(milliseconds) / 1_000) s"
    }
}
