import Contracts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every answer of the gateway carries `X-Content-Type-Options: nosniff`, and those that set no
/// caching of their own `Cache-Control: no-store`: a browser never runs a JSON answer as HTML,
/// and no cache keeps personal data.
@Suite struct SecurityHeadersTests {
    static let nosniff = HTTPField.Name("x-content-type-options")!

    @Test("a /v1 JSON answer with personal data, its problem answers and an unknown route: nosniff and no-store")
    func apiAnswers() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([("MO-DOC-PP", .communitySupervision)])
        try await harness.store([notification(to: .officer("PP-KC-118"), agency: "MO-DOC-PP", minute: 1)])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let inbox = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
            #expect(inbox.status == .ok)
            #expect(inbox.headers[.contentType] == "application/json")
            #expect(String(buffer: inbox.body).contains("MO1234567"), "the answer carries personal data")
            #expect(inbox.headers[Self.nosniff] == "nosniff")
            #expect(inbox.headers[.cacheControl] == "no-store")

            let unauthenticated = try await client.execute(uri: "/v1/inbox", method: .get)
            #expect(unauthenticated.status == .unauthorized)
            #expect(unauthenticated.headers[Self.nosniff] == "nosniff")

            let unknown = try await client.execute(uri: "/v1/nothing-here", method: .get, headers: .bearer(token, contentType: nil))
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[Self.nosniff] == "nosniff")
            #expect(unknown.headers[.cacheControl] == "no-store")

            let document = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(document.headers[Self.nosniff] == "nosniff")
        }
    }
}
