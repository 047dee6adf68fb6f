import AsyncHTTPClient
import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// A signed-out token (`BearerAuthenticator.revoke(token:)`, the web UI's sign-out) is refused
/// by this gateway until it expires, an open stream of it ends at once, and the set that
/// remembers it stays bounded.
@Suite(.timeLimit(.minutes(2))) struct RevocationTests {
    static let agency = "MO-DOC-PP"

    @Test("a revoked token is refused on /v1 from then on; another token of the same user is not; a token that does not verify is not remembered")
    func revokedTokensAreRefused() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token()
        var laterClaims = TestIssuer.Claims()
        laterClaims.exp = Date().timeIntervalSince1970 + 660
        let other = try await harness.issuer.token(laterClaims)
        try await harness.test { client in
            let before = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            #expect(before.status == .ok)
            #expect(await harness.gateway.authenticator.revoke(token: token))
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil)).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(other, contentType: nil)).status == .ok)
        }
        #expect(await harness.gateway.authenticator.revoke(token: try await harness.issuer.token(signedWith: .init())) == false)
        #expect(harness.gateway.authenticator.revocations.count == 1)
    }

    @Test("a revoked token is refused in every spelling that verifies (its signature's last character with other unused bits)")
    func revokedTokensAreRefusedInEverySpelling() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token()
        // base64url: the last character of a 64-byte ES256 signature carries 2 bits and 4 unused ones.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let lastCharacter = try #require(token.last)
        let last = try #require(alphabet.firstIndex(of: lastCharacter))
        let respelt = String(token.dropLast()) + String(alphabet[last ^ 1])
        #expect(respelt != token)
        try await harness.test { client in
            // The other spelling verifies: it is the same token.
            let before = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(respelt, contentType: nil))
            #expect(before.status == .ok)
            #expect(await harness.gateway.authenticator.revoke(token: token))
            let after = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(respelt, contentType: nil))
            #expect(after.status == .unauthorized)
        }
    }

    @Test("POST /v1/session/sign-out: 204, then that token is refused (in every spelling, and by a second sign-out); another token of the same user is not; no token is 401")
    func apiSignOut() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token()
        var laterClaims = TestIssuer.Claims()
        laterClaims.exp = Date().timeIntervalSince1970 + 660
        let other = try await harness.issuer.token(laterClaims)
        // Another spelling of the same token (its signature's last character with other unused bits).
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let lastCharacter = try #require(token.last)
        let last = try #require(alphabet.firstIndex(of: lastCharacter))
        let respelt = String(token.dropLast()) + String(alphabet[last ^ 1])
        try await harness.test { client in
            #expect(try await client.execute(uri: "/v1/session/sign-out", method: .post).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil)).status == .ok)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(respelt, contentType: nil)).status == .ok)
            let signOut = try await client.execute(uri: "/v1/session/sign-out", method: .post, headers: .bearer(token, contentType: nil))
            #expect(signOut.status == .noContent)
            #expect(signOut.body.readableBytes == 0)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil)).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(respelt, contentType: nil)).status == .unauthorized)
            let again = try await client.execute(uri: "/v1/session/sign-out", method: .post, headers: .bearer(respelt, contentType: nil))
            #expect(again.status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(other, contentType: nil)).status == .ok)
        }
        #expect(harness.gateway.authenticator.revocations.count == 1)
    }

    @Test("the set forgets a token once it has expired, and past its capacity the one expiring soonest")
    func theSetIsBounded() {
        let revocations = TokenRevocations(capacity: 2)
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        let (a, b, c, d) = (TokenDigest(token: "a"), TokenDigest(token: "b"), TokenDigest(token: "c"), TokenDigest(token: "d"))
        revocations.revoke(a, until: start.addingTimeInterval(600), now: start)
        revocations.revoke(b, until: start.addingTimeInterval(60), now: start)
        revocations.revoke(c, until: start.addingTimeInterval(300), now: start)
        #expect(revocations.count == 2)
        #expect(revocations.isRevoked(a) && revocations.isRevoked(c) && !revocations.isRevoked(b), "b had the least time left")
        // c has expired by now: it makes room, a stays.
        revocations.revoke(d, until: start.addingTimeInterval(900), now: start.addingTimeInterval(301))
        #expect(revocations.isRevoked(a) && revocations.isRevoked(d) && !revocations.isRevoked(c))
        #expect("\(a)" == "TokenDigest(…)", "never printed")
    }

    @Test("an open /v1/stream ends at once when its token is revoked (directly, or by POST /v1/session/sign-out), in the middle of a wait; nothing more is pushed or recorded",
          arguments: [false, true])
    func revocationEndsTheStream(throughTheAPI: Bool) async throws {
        // A poll interval far longer than the test may run: only the revocation can end the wait.
        let harness = try await GatewayHarness(push: PushConfiguration(pollInterval: .seconds(600), heartbeatInterval: .seconds(600)))
        try await harness.describe([(Self.agency, .communitySupervision)])
        try await harness.store([notification(to: .agency(Self.agency), agency: nil, minute: 1)])
        let token = try await harness.issuer.token()
        try await withHTTPClient { client in try await Application(router: harness.router).test(.live) { test in
            let reader = StreamReader()
            reader.start(url: "http://127.0.0.1:\(try #require(test.port))/v1/stream", token: token, client: client)
            await reader.events.wait { $0.count >= 1 }
            if throughTheAPI {
                let signOut = try await test.execute(uri: "/v1/session/sign-out", method: .post, headers: .bearer(token, contentType: nil))
                #expect(signOut.status == .noContent)
            } else {
                #expect(await harness.gateway.authenticator.revoke(token: token))
            }
            // Should the revocation not end the stream, graceful shutdown does after 20 s (and
            // the test fails below): a deadline, not a synchronisation.
            let deadline = Task {
                try await Task.sleep(for: .seconds(20))
                harness.gateway.shutdown.trigger()
            }
            await reader.ended.wait { $0 }
            deadline.cancel()
            #expect(!harness.gateway.shutdown.isTriggered, "the revocation ended the stream, not the deadline")
            #expect(reader.comments.value.contains("signed out"))
            #expect(reader.events.value.count == 1)
        } }
        let streamed = try await auditEntries(harness.ledger).filter { $0.channel == .stream }
        #expect(streamed.count == 1)
    }
}
