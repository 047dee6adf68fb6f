import ArgumentParser
import Foundation
import Gateway
import JWTKit
import Logging
import Settings
import WebUI

/// The gateway's settings for `serve gateway` (from the configuration) and `dev` (a demo key
/// pair and tokens).
enum GatewaySetup {
    /// `serve gateway`: the key set file is required; its contents are public keys. The web UI's
    /// form key is `gateway.form-key-file`'s, else random for this process (said in a notice that
    /// carries no key).
    static func configuration(_ settings: BusConfiguration.GatewaySettings, logger: Logger) throws -> GatewayConfiguration {
        guard let path = settings.jwksFile else {
            throw ValidationError(
                "The gateway needs the token issuer's keys: set --jwks-file, REENTRYBUS_GATEWAY_JWKS_FILE or gateway.jwks-file.")
        }
        guard let data = FileManager.default.contents(atPath: path), let jwks = String(data: data, encoding: .utf8) else {
            throw ValidationError("The key set file \(path) cannot be read as UTF-8 text.")
        }
        let destinations: WebhookDestinationPolicy
        do {
            destinations = try WebhookDestinationPolicy(allowing: settings.webhooksAllow)
        } catch {
            throw ValidationError("gateway.webhooks.allow: \(error).")
        }
        // The web UI at /ui: sign-in with a token only (no demo users outside dev), cookies
        // Secure though the gateway listens on loopback (TLS ends at the proxy in front).
        var pages = WebUIConfiguration.production
        pages.formKey = settings.formKey?.bytes
        if settings.formKey == nil {
            logger.notice(
                "The web UI's forms are bound to this gateway process (a random form key): after a restart, or through another instance behind the same address, an open form is refused as expired; set gateway.form-key-file (REENTRYBUS_GATEWAY_FORM_KEY_FILE, --form-key-file) to share one key.")
        }
        var configuration = GatewayConfiguration(
            host: settings.listen.host, port: settings.listen.port,
            authentication: AuthenticationConfiguration(
                jwks: jwks, issuer: settings.issuer, audience: settings.audience, maxRevokedTokens: settings.maxRevokedTokens),
            ingest: IngestConfiguration(rate: IngestRate(eventsPerSecond: settings.ratePerAgency, burst: max(1_000, settings.ratePerAgency))),
            pages: try WebUI(configuration: pages))
        configuration.push.webhooks.destinations = destinations
        do {
            _ = try BearerAuthenticator.checkKeySet(configuration.authentication)
        } catch {
            throw ValidationError("The key set file \(path): \(error.reason).")
        }
        return configuration
    }
}

/// `dev`'s demo identities: an ES256 key pair kept in the data directory (made once, mode 0600,
/// never printed or logged), its public JWKS for the gateway, and a token for each demo user.
struct DemoGatewayIdentities {
    static let issuer = "reentrybus-dev"
    static let audience = "reentrybus-gateway"
    static let keyFile = "gateway-demo-key.pem"
    static let kid = "reentrybus-dev-1"

    struct User {
        var label: String
        var subject: String
        var agency: String
        /// The agency's kind as the demo directory describes it: the token states it, so
        /// the gateway knows it before the inbox has read the directory.
        var agencyKind: String
        var roles: [String]
        var purpose: String
    }

    /// An officer of the demo's probation agency, a police analyst, a release coordinator, an
    /// auditor, and the police's system (integrator) that may send events.
    static let users = [
        User(label: "probation officer (MO-DOC-PP)", subject: "PP-KC-118", agency: "MO-DOC-PP", agencyKind: "community_supervision", roles: ["officer"],
             purpose: "supervision"),
        User(label: "police analyst (MO-KCPD)", subject: "KCPD-A-204", agency: "MO-KCPD", agencyKind: "police", roles: ["analyst"], purpose: "investigation"),
        User(label: "release coordinator (MO-DOC)", subject: "DOC-RC-17", agency: "MO-DOC", agencyKind: "prison", roles: ["release-coordinator"],
             purpose: "release-planning"),
        User(label: "auditor (MO-DOC-PP)", subject: "AUD-7", agency: "MO-DOC-PP", agencyKind: "community_supervision", roles: ["auditor"], purpose: "audit"),
        User(label: "police system, integrator (MO-KCPD)", subject: "kcpd-rms", agency: "MO-KCPD", agencyKind: "police", roles: ["integrator"],
             purpose: "data-integration"),
    ]

    let privateKey: ES256PrivateKey

    /// The key pair in `directory`, made when missing.
    init(directory: URL) throws {
        let url = directory.appendingPathComponent(Self.keyFile)
        if let data = FileManager.default.contents(atPath: url.path), let pem = String(data: data, encoding: .utf8) {
            privateKey = try ES256PrivateKey(pem: pem)
        } else {
            privateKey = ES256PrivateKey()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: Data(privateKey.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("Cannot write the demo key to \(url.path).")
            }
        }
    }

    /// The public key as a JWKS document.
    var jwks: String {
        get throws {
            guard let parameters = privateKey.publicKey.parameters else { throw ValidationError("The demo key has no public parameters.") }
            return """
                {"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\(Self.kid)","x":"\(parameters.x)","y":"\(parameters.y)"}]}
                """
        }
    }

    func configuration(listen: String) throws -> GatewayConfiguration {
        let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (0...65_535).contains(port) else {
            throw ValidationError("--gateway-listen must be HOST:PORT, such as 127.0.0.1:8080.")
        }
        var configuration = GatewayConfiguration(
            host: String(parts[0]), port: port,
            authentication: AuthenticationConfiguration(jwks: try jwks, issuer: Self.issuer, audience: Self.audience))
        // dev's receivers run on this machine: loopback is allowed besides public addresses.
        configuration.push.webhooks.destinations = .allowingLoopback
        return configuration
    }

    /// A token for each demo user, valid for 12 hours.
    func tokens(now: Date = Date()) async throws -> [(User, String)] {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: privateKey, kid: JWKIdentifier(string: Self.kid))
        var tokens: [(User, String)] = []
        for user in Self.users {
            let claims = DemoClaims(
                sub: user.subject, iss: Self.issuer, aud: Self.audience, exp: (now.timeIntervalSince1970 + 12 * 3600).rounded(),
                nbf: now.timeIntervalSince1970.rounded() - 60, agency: user.agency, agencyKind: user.agencyKind, roles: user.roles,
                purpose: user.purpose)
            tokens.append((user, try await keys.sign(claims, kid: JWKIdentifier(string: Self.kid))))
        }
        return tokens
    }
}

private struct DemoClaims: JWTPayload {
    var sub: String
    var iss: String
    var aud: String
    var exp: Double
    var nbf: Double
    var agency: String
    var agencyKind: String
    var roles: [String]
    var purpose: String

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
