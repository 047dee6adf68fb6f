import CryptoExtras
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

/// Bearer tokens: every way a token can be wrong is the same 401, with no hint which.
@Suite struct AuthenticationTests {
    /// `header.payload.` with the given header and the claims of a valid token.
    static func unsigned(header: String, claims: TestIssuer.Claims = TestIssuer.Claims()) throws -> String {
        func encode(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return "\(encode(Data(header.utf8))).\(encode(try JSONEncoder().encode(claims)))."
    }

    @Test("expired, not yet valid, forged, wrong audience or issuer, alg none, HS256, unknown role: all 401 with one body")
    func everyBadTokenIsTheSame401() async throws {
        let harness = try await GatewayHarness()
        let issuer = harness.issuer
        let now = Date().timeIntervalSince1970
        var expired = TestIssuer.Claims(); expired.exp = now - 3_600
        var notYet = TestIssuer.Claims(); notYet.nbf = now + 3_600
        var audience = TestIssuer.Claims(); audience.aud = "someone-else"
        var otherIssuer = TestIssuer.Claims(); otherIssuer.iss = "https://evil.test"
        var noExpiry = TestIssuer.Claims(); noExpiry.exp = nil
        var unknownRole = TestIssuer.Claims(); unknownRole.roles = ["officer", "superuser"]
        var foreignUnit = TestIssuer.Claims(); foreignUnit.units = ["MO-KCPD-VCU"]
        let valid = try await issuer.token()
        let parts = valid.split(separator: ".")
        let hmac = JWTKeyCollection()
        await hmac.add(hmac: HMACKey(from: Data(issuer.jwks.utf8)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: TestIssuer.kid))
        let tokens: [String: String] = [
            "expired": try await issuer.token(expired),
            "not yet valid": try await issuer.token(notYet),
            "wrong audience": try await issuer.token(audience),
            "wrong issuer": try await issuer.token(otherIssuer),
            "no expiry": try await issuer.token(noExpiry),
            "unknown role": try await issuer.token(unknownRole),
            "another agency's unit": try await issuer.token(foreignUnit),
            "forged (another key, same kid)": try await issuer.token(signedWith: ES256PrivateKey()),
            "unknown kid": try await issuer.token(kid: "other"),
            "alg none": try Self.unsigned(header: #"{"alg":"none","kid":"test-key-1","typ":"JWT"}"#),
            "alg none without kid": try Self.unsigned(header: #"{"alg":"none"}"#),
            "HS256 with the public key as secret": try await hmac.sign(TestIssuer.Claims(), kid: JWKIdentifier(string: TestIssuer.kid)),
            "payload swapped": "\(parts[0]).\(try Self.unsigned(header: "{}", claims: { var c = TestIssuer.Claims(); c.agency = "MO-KCPD"; return c }()).split(separator: ".")[1]).\(parts[2])",
            "garbage": "not-a-token",
        ]
        try await harness.test { client in
            let ok = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(valid, contentType: nil))
            #expect(ok.status == .ok)
            var bodies: Set<String> = []
            for (name, token) in tokens.sorted(by: { $0.key < $1.key }) {
                let response = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer", "\(name)")
                bodies.insert(String(buffer: response.body))
            }
            let none = try await client.execute(uri: "/v1/inbox", method: .get)
            #expect(none.status == .unauthorized)
            bodies.insert(String(buffer: none.body))
            #expect(bodies.count == 1, "every refusal reads the same: \(bodies)")
        }
        #expect(try await harness.auditEntries() == 0, "nothing was disclosed")
    }

    @Test("an RS256 token verifies with an RSA key of the set; the same token claiming ES256 does not")
    func rs256() async throws {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try rsa.publicKey.getKeyPrimitives()
        func encode(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let jwks = """
            {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"rsa-1","n":"\(encode(primitives.modulus))","e":"\(encode(primitives.publicExponent))"}]}
            """
        let authenticator = try await BearerAuthenticator(configuration: AuthenticationConfiguration(
            jwks: jwks, issuer: TestIssuer.issuer, audience: TestIssuer.audience))
        let keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: rsa), digestAlgorithm: .sha256, kid: JWKIdentifier(string: "rsa-1"))
        let token = try await keys.sign(TestIssuer.Claims(), kid: JWKIdentifier(string: "rsa-1"))
        var caller = await authenticator.caller(authorization: "Bearer \(token)")
        #expect(caller?.expiresAt.map { $0 > Date() } == true, "the token's exp, for the responses that outlive the request")
        caller?.expiresAt = nil
        #expect(caller?.tokenDigest == TokenDigest(token: token), "the token it came from, for a sign-out")
        caller?.tokenDigest = nil
        #expect(caller == Caller(subject: "PP-KC-118", agencyId: "MO-DOC-PP", roles: [.officer], purpose: .supervision))
        // The header rewritten to claim another algorithm: refused before any signature check.
        let parts = token.split(separator: ".")
        let es256 = encode(Data(#"{"alg":"ES256","kid":"rsa-1","typ":"JWT"}"#.utf8))
        #expect(await authenticator.caller(authorization: "Bearer \(es256).\(parts[1]).\(parts[2])") == nil)
    }

    @Test("a key set with a private key, another algorithm or no kid is refused at start, naming the key")
    func badKeySetsAreRefused() throws {
        func check(_ jwks: String) -> String? {
            do {
                _ = try BearerAuthenticator.checkKeySet(AuthenticationConfiguration(jwks: jwks, issuer: "i", audience: "a"))
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(check(#"{"keys":[{"kty":"EC","alg":"ES256","kid":"k","x":"a","y":"b","d":"secret"}]}"#)?.contains("private") == true)
        #expect(check(#"{"keys":[{"kty":"oct","alg":"HS256","kid":"k","k":"c2VjcmV0"}]}"#)?.contains("RS256 or ES256") == true)
        #expect(check(#"{"keys":[{"kty":"EC","alg":"ES256","x":"a","y":"b"}]}"#)?.contains("no kid") == true)
        #expect(check(#"{"keys":[]}"#) != nil)
        #expect(check(#"{"keys":[{"kty":"EC","alg":"ES256","kid":"k","x":"a","y":"b"}]}"#) == nil)
    }
}
