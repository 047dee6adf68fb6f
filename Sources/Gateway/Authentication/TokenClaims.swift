import Foundation
import JWTKit

/// The claims of a gateway bearer token, as the JSON carries them. Checked by
/// `BearerAuthenticator` (issuer, audience, times, agency, roles), not by jwt-kit, whose
/// `verify(using:)` here does nothing: every rule lives in one place.
struct TokenClaims: JWTPayload {
    var sub: String?
    var iss: String?
    /// One audience or several (RFC 7519 allows both).
    var aud: AudienceClaim?
    var exp: Double?
    var nbf: Double?
    var agency: String?
    var roles: [String]?
    var purpose: String?
    /// The kind of the caller's agency (a glossary `agencyKind` code), if the issuer states it.
    var agencyKind: String?
    /// The units (squads, desks) of the caller's agency they belong to, e.g. `MO-KCPD-VCU`.
    var units: [String]?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
