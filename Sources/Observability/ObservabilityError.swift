/// What can go wrong with the observability endpoint. Descriptions name the address (never a
/// secret) and the reason.
public enum ObservabilityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured listen address cannot be used as `host:port`.
    case invalidListenAddress(address: String, reason: String)
    /// The endpoint could not listen at `address` (in use, not an address of this host,
    /// a privileged port…).
    case listenFailed(address: String, reason: String)

    public var description: String {
        switch self {
        case .invalidListenAddress(let address, let reason): "metrics listen address \"\(address)\" \(reason)"
        case .listenFailed(let address, let reason): "could not listen for metrics and health checks on \(address): \(reason)"
        }
    }
}
