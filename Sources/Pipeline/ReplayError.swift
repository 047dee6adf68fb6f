import Kafka

/// Why a replay failed. Whatever the reason, the service's current state was left as it was
/// (the swap is the replay's last step, and all or nothing), and what the replay had built was
/// removed unless `leftover` says otherwise. The description names the service, the databases
/// (paths, or URLs without password) and what to do; never event contents.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable {
        /// A setting cannot work for a replay (`field` names it).
        case invalidConfiguration(field: String, reason: String)
        /// There is no state to replace: no database file, no schema.
        case noCurrentState
        /// Another replay of the service is building its new state right now.
        case anotherReplay
        /// No broker answered a metadata request within `timeout`.
        case brokerUnreachable(bootstrapServers: [String], timeout: Duration, reason: String)
        /// Reading the topics failed (a topic missing, access denied).
        case readFailed(KafkaError)
        /// Reading made no progress for `after` before the topics were read: the broker went away.
        case stalled(topics: [String], after: Duration)
        /// The service (or a reader) still had its state open after waiting `waited`.
        case stillInUse(waited: Duration)
        /// A database failed; the text is the error's description, which names the database.
        case database(String)
        /// The swap could not be made safely (e.g. the name it needs is taken).
        case swapRefused(String)
        /// Interrupted (Ctrl-C, SIGTERM) or cancelled.
        case cancelled
    }

    public var reason: Reason
    public var service: ServiceName
    /// The current state: a file path, or a URL without password and the schema.
    public var current: String
    /// Where the new state was being built.
    public var rebuilt: String
    /// Whether the partly built state could not be removed (the next replay removes it).
    public var leftover: Bool

    public var description: String {
        let what: String = switch reason {
        case .invalidConfiguration(let field, let reason): "invalid configuration: \(field) \(reason)"
        case .noCurrentState:
            "there is no state of \(service) at \(current) to replace: `serve \(service)` builds it from the beginning of its topics"
        case .anotherReplay: "another replay of \(service) is building \(rebuilt) right now"
        case .brokerUnreachable(let servers, let timeout, let reason):
            "no Kafka broker answered at \(servers.joined(separator: ",")) within \(ApplicationError.format(timeout)) (\(reason))"
        case .readFailed(let error): "reading the topics failed: \(error)"
        case .stalled(let topics, let after):
            "nothing could be read from \(topics.joined(separator: ", ")) for \(ApplicationError.format(after)): the broker stopped answering"
        case .stillInUse(let waited):
            "\(service) still had its state open after \(ApplicationError.format(waited)): the swap needs the service stopped "
                + "(stop `serve \(service)` and any `view` or `inbox` reading it, then replay again, or allow more time with --stop-timeout)"
        case .database(let text): text
        case .swapRefused(let text): "the new state could not be swapped in: \(text)"
        case .cancelled: "interrupted"
        }
        let cleanup = leftover
            ? "the partly built state \(rebuilt) could not be removed (the next replay removes it)"
            : "nothing of the replay was kept"
        return "replay of \(service) failed: \(what); its state at \(current) is as it was, \(cleanup)"
    }
}

/// A reason to stop a replay, thrown inside it and given the service and databases at the end.
struct ReplayFailure: Error {
    var reason: ReplayError.Reason
    init(_ reason: ReplayError.Reason) { self.reason = reason }
}
