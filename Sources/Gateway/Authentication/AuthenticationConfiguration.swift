import Foundation

/// How the gateway checks bearer tokens: whose keys, which issuer and audience, how much
/// clock skew it tolerates.
public struct AuthenticationConfiguration: Sendable {
    /// The JSON Web Key Set (RFC 7517) holding the issuer's public keys: each with `kid`,
    /// `kty` (`RSA` or `EC`) and `alg` (`RS256` or `ES256`); private members are refused.
    public var jwks: String
    /// The `iss` every token must carry.
    public var issuer: String
    /// The `aud` every token must name.
    public var audience: String
    /// How far `exp` and `nbf` may be off. Default: 30 seconds.
    public var leeway: Duration
    /// The longest token accepted, in bytes. Default: 8,192.
    public var maxTokenBytes: Int
    /// Most signed-out tokens this process remembers at once, each until it expires
    /// (`TokenRevocations`: about 60 bytes each; past it the one expiring soonest is forgotten).
    /// At least 1. Default: 100,000.
    public var maxRevokedTokens: Int

    public init(
        jwks: String, issuer: String, audience: String, leeway: Duration = .seconds(30), maxTokenBytes: Int = 8_192, maxRevokedTokens: Int = 100_000
    ) {
        self.maxRevokedTokens = max(1, maxRevokedTokens)
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.maxTokenBytes = maxTokenBytes
    }
}

/// Why the key set or the authentication settings cannot be used (at start, before anything
/// listens). Names the key by its position and `kid`, never a key's material.
public struct AuthenticationSetupError: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "gateway authentication: \(reason)" }
}
