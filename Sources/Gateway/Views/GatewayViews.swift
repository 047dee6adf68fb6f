import Policy
import Storage

/// The read-model views the gateway serves: where their rows come from, and the rules
/// (`Policy/views.yaml`) of who may read each and how its fields are classified.
public struct GatewayViews: Sendable {
    public let source: any ViewSource
    public let policy: ViewPolicy
    /// The feeds service's database (read only: its coverage map); nil when this gateway does
    /// not serve it.
    public let feeds: (@Sendable () throws -> any StorageDatabase)?

    public init(source: any ViewSource, policy: ViewPolicy, feeds: (@Sendable () throws -> any StorageDatabase)? = nil) {
        self.source = source
        self.policy = policy
        self.feeds = feeds
    }
}
