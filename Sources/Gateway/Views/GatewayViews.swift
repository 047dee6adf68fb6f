import Policy

/// The read-model views the gateway serves: where their rows come from, and the rules
/// (`Policy/views.yaml`) of who may read each and how its fields are classified.
public struct GatewayViews: Sendable {
    public let source: any ViewSource
    public let policy: ViewPolicy

    public init(source: any ViewSource, policy: ViewPolicy) {
        self.source = source
        self.policy = policy
    }
}
