import Contracts
import Foundation
import JWTKit

/// Turns an `Authorization: Bearer …` header into a `Caller`, or refuses it.
///
/// A token is accepted only when all of these hold; otherwise the answer is the same `nil`
/// (the gateway's one 401), whichever failed:
/// - three base64url parts within `maxTokenBytes`; a header whose `alg` is `RS256` or `ES256`
///   and equals the `alg` of the key its `kid` names in the key set (`alg: none`, `HS256` with
///   the public key as secret, or any other algorithm is refused before a signature is
///   checked), and no `crit` header;
/// - the signature verifies with that key (jwt-kit, swift-crypto);
/// - `iss` is the configured issuer and `aud` names the configured audience;
/// - `exp` is present and not past, `nbf` (if present) not ahead, each within `leeway`;
/// - `sub`, `agency` (an agency id), `roles` (known roles, at least one) and `purpose` (a
///   glossary `accessPurpose` code: the policy grants by it) are present; `units`, if present,
///   are units of that agency (`<agency>-…`); `agencyKind`, if present, is a glossary code;
/// - the token was not signed out of this process (`revoke(token:)`, `TokenRevocations`).
public struct BearerAuthenticator: Sendable {
    let configuration: AuthenticationConfiguration
    let keys: JWTKeyCollection
    /// The tokens signed out of this process, until they expire.
    public let revocations: TokenRevocations
    /// `kid` → the algorithm that key verifies.
    let algorithms: [String: String]
    let now: @Sendable () -> Date

    static let allowedAlgorithms: Set<String> = ["RS256", "ES256"]

    /// Loads the key set.
    ///
    /// - Throws: `AuthenticationSetupError` naming the key (by position and `kid`) and what is
    ///   wrong: not JSON, no keys, a key without `kid` or `alg`, an algorithm other than RS256
    ///   or ES256, a key type that does not fit it, a private key, a repeated `kid`, or a key
    ///   jwt-kit cannot read.
    public init(configuration: AuthenticationConfiguration, now: @escaping @Sendable () -> Date = Date.init) async throws(AuthenticationSetupError) {
        let algorithms = try Self.checkKeySet(configuration)
        let keys = JWTKeyCollection()
        do {
            try await keys.add(jwksJSON: configuration.jwks)
        } catch {
            throw AuthenticationSetupError("jwt-kit cannot read the key set: \(String(describing: type(of: error)))")
        }
        self.configuration = configuration
        self.keys = keys
        self.algorithms = algorithms
        self.now = now
        revocations = TokenRevocations(capacity: configuration.maxRevokedTokens)
    }

    /// Checks the settings and the key set without loading it (what the application builder
    /// does before anything starts); returns each key's algorithm by `kid`.
    ///
    /// - Throws: as `init(configuration:now:)`, except for a key jwt-kit cannot read.
    public static func checkKeySet(_ configuration: AuthenticationConfiguration) throws(AuthenticationSetupError) -> [String: String] {
        guard !configuration.issuer.isEmpty else { throw AuthenticationSetupError("the issuer is empty") }
        guard !configuration.audience.isEmpty else { throw AuthenticationSetupError("the audience is empty") }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: configuration.jwks, limits: JSONDecodingLimits(maxDocumentBytes: 1 << 20, maxNestingDepth: 8))
        } catch {
            throw AuthenticationSetupError("the key set is not JSON: \(error)")
        }
        guard case .array(let entries)? = document["keys"], !entries.isEmpty else {
            throw AuthenticationSetupError("the key set has no \"keys\" array with at least one key")
        }
        var algorithms: [String: String] = [:]
        for (index, entry) in entries.enumerated() {
            let position = "key \(index + 1)"
            guard case .string(let kid)? = entry["kid"], !kid.isEmpty else { throw AuthenticationSetupError("\(position) has no kid") }
            guard case .string(let alg)? = entry["alg"], Self.allowedAlgorithms.contains(alg) else {
                throw AuthenticationSetupError("\(position) (kid \(kid)) must have alg RS256 or ES256")
            }
            let expectedType = alg == "RS256" ? "RSA" : "EC"
            guard case .string(let kty)? = entry["kty"], kty == expectedType else {
                throw AuthenticationSetupError("\(position) (kid \(kid)): alg \(alg) needs kty \(expectedType)")
            }
            if case .string(let use)? = entry["use"], use != "sig" {
                throw AuthenticationSetupError("\(position) (kid \(kid)): use must be sig")
            }
            for member in ["d", "p", "q", "dp", "dq", "qi", "k"] where entry[member] != nil {
                throw AuthenticationSetupError("\(position) (kid \(kid)) holds private key material (\(member)); publish only public keys")
            }
            guard algorithms.updateValue(alg, forKey: kid) == nil else { throw AuthenticationSetupError("\(position): kid \(kid) is repeated") }
        }
        return algorithms
    }

    /// The caller of a request with this `Authorization` header value, or nil.
    public func caller(authorization: String?) async -> Caller? {
        guard let authorization, authorization.utf8.count <= configuration.maxTokenBytes + 7 else { return nil }
        let scheme = authorization.prefix(7)
        guard scheme.lowercased() == "bearer " else { return nil }
        return await caller(token: String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
    }

    /// The caller a token names, or nil (see the type's rules).
    public func caller(token: String) async -> Caller? {
        guard token.utf8.count <= configuration.maxTokenBytes else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(Self.isBase64URL) }) else { return nil }
        // Signed out: refused before any signature work.
        let digest = TokenDigest(token: token)
        guard !revocations.isRevoked(digest) else { return nil }
        guard let header = Self.header(parts[0]),
              case .string(let alg)? = header["alg"], case .string(let kid)? = header["kid"],
              let keyAlgorithm = algorithms[kid], keyAlgorithm == alg, header["crit"] == nil
        else { return nil }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self)
        } catch {
            return nil
        }
        guard var caller = check(claims) else { return nil }
        caller.tokenDigest = digest
        return caller
    }

    /// Signs `token` out of this gateway process: from now until it expires, it authenticates
    /// nothing here (pages, `/v1`, streams), and the live streams opened with it end at their
    /// next step. Only a token that verifies now is remembered (one that does not is refused
    /// anyway); the answer says whether it was. Other gateway processes do not learn of it
    /// (`TokenRevocations`).
    @discardableResult
    public func revoke(token: String) async -> Bool {
        guard let caller = await caller(token: token) else { return false }
        return revoke(caller)
    }

    /// Signs out the token `caller` was verified from (as `revoke(token:)`, without verifying
    /// it again); false when `caller` did not come from a token.
    @discardableResult
    public func revoke(_ caller: Caller) -> Bool {
        guard let digest = caller.tokenDigest, let expiry = caller.expiresAt else { return false }
        revocations.revoke(digest, until: expiry, now: now())
        return true
    }

    /// Whether the token `caller` was verified from has been signed out since.
    public func isRevoked(_ caller: Caller) -> Bool {
        caller.tokenDigest.map(revocations.isRevoked) ?? false
    }

    /// The token's header as JSON, or nil when it is not (the answer is the one 401 either way).
    static func header(_ part: Substring) -> JSONValue? {
        guard let bytes = base64URLDecoded(part) else { return nil }
        do {
            return try JSONValue(parsing: bytes, limits: JSONDecodingLimits(maxDocumentBytes: 2_048, maxNestingDepth: 4))
        } catch {
            return nil
        }
    }

    /// The claims' rules (issuer, audience, times, identity); nil when any fails.
    func check(_ claims: TokenClaims) -> Caller? {
        let now = self.now().timeIntervalSince1970
        let leeway = Double(configuration.leeway.components.seconds) + Double(configuration.leeway.components.attoseconds) / 1e18
        guard claims.iss == configuration.issuer, claims.aud?.value.contains(configuration.audience) == true else { return nil }
        guard let exp = claims.exp, exp.isFinite, now < exp + leeway else { return nil }
        if let nbf = claims.nbf {
            guard nbf.isFinite, nbf <= now + leeway else { return nil }
        }
        guard let subject = claims.sub, Self.isIdentifier(subject),
              let agency = claims.agency, AgencyIdentifier.isValid(agency),
              let roleNames = claims.roles, !roleNames.isEmpty, roleNames.count <= Role.allCases.count,
              let purposeCode = claims.purpose, let purpose = AccessPurpose(code: purposeCode)
        else { return nil }
        var agencyKind: AgencyKind?
        if let code = claims.agencyKind {
            // A kind the glossary does not know is a broken token, not an unknown kind.
            guard let kind = AgencyKind(rawValue: code) else { return nil }
            agencyKind = kind
        }
        var roles: Set<Role> = []
        for name in roleNames {
            guard let role = Role(rawValue: name) else { return nil }
            roles.insert(role)
        }
        var units: [String] = []
        for unit in claims.units ?? [] {
            guard unit.hasPrefix(agency + "-"), Self.isIdentifier(unit) else { return nil }
            units.append(unit)
        }
        var caller = Caller(subject: subject, agencyId: agency, roles: roles, purpose: purpose, agencyKind: agencyKind)
        caller.units = units
        caller.expiresAt = Date(timeIntervalSince1970: exp + leeway)
        return caller
    }

    /// 1 to 128 printable ASCII characters without spaces, colons or slashes: safe inside a
    /// recipient (`officer:<sub>`) and a log line.
    static func isIdentifier(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count)
            && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "/") }
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    static func base64URLDecoded(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
