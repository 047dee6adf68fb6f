import Hummingbird

/// Routes another module adds to the gateway's router: the web UI's pages, which sit under the
/// gateway's authentication, policy and audit but live in a module of their own (`WebUI`).
/// Set on `GatewayConfiguration.pages`; `buildGatewayRouter(_:openAPI:)` registers them last,
/// behind the same middleware (request ids, metrics). Their routes are not part of the API, so
/// the OpenAPI document does not list them.
public protocol GatewayPages: Sendable {
    /// Adds the pages' routes to `router`; their handlers reach the gateway's collaborators
    /// through `gateway` (the inbox, the access policy, the audit recorder, the authenticator).
    func register(on router: Router<BasicRequestContext>, gateway: Gateway)
}
