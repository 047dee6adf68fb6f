import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Hostile input over a real socket: the right 4xx, nothing published or disclosed, and the
/// server goes on answering.
@Suite struct BadInputTests {
    @Test("a header flood is refused and the server goes on; nothing is published")
    func headerFlood() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        try await Application(router: harness.router).test(.live) { client in
            var flood: HTTPFields = .bearer(token)
            for index in 0..<4_000 { flood[HTTPField.Name("x-flood-\(index)")!] = String(repeating: "a", count: 64) }
            var refused = false
            do {
                let response = try await client.execute(uri: "/v1/events", method: .post, headers: flood, body: ByteBuffer(bytes: try arrestEvent()))
                refused = (400..<500).contains(response.status.code)
                #expect(refused, "a flood of 4,000 headers got \(response.status)")
            } catch {
                refused = true  // the server closed the connection on the oversized head
            }
            #expect(refused)
            // The same server answers a new connection.
            let port = try #require(client.port)
            let fresh = TestClient(host: "localhost", port: port, configuration: .init(timeout: .seconds(120)))
            fresh.connect()
            let after = try await fresh.execute(TestClient.Request("/openapi.json", method: .get, authority: "localhost"))
            try await fresh.shutdown()
            #expect(after.status == .ok)
        }
        #expect(harness.sink.sent.isEmpty)
    }

    @Test("a huge body over a socket is 413 by its Content-Length, before it is read")
    func hugeBodyOverSocket() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        try await Application(router: harness.router).test(.live) { live in
            // What is asserted is the status, not the time: the whole suite starts at once on two
            // cores in CI, where writing 5 MB and reading the answer once took longer than the
            // live client's 20 s. A patient client of its own keeps load from failing the test.
            let client = TestClient(host: "localhost", port: try #require(live.port), configuration: .init(timeout: .seconds(120)))
            client.connect()
            let statuses: (HTTPResponse.Status, HTTPResponse.Status)
            do {
                let response = try await client.execute(TestClient.Request(
                    "/v1/events/batch", method: .post, authority: "localhost",
                    headers: .bearer(token, contentType: "application/x-ndjson"),
                    body: ByteBuffer(repeating: UInt8(ascii: "x"), count: 5 * 1024 * 1024)))
                let after = try await client.execute(TestClient.Request(
                    "/v1/events", method: .post, authority: "localhost", headers: .bearer(token), body: ByteBuffer(bytes: try arrestEvent())))
                statuses = (response.status, after.status)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
            #expect(statuses.0 == .contentTooLarge)
            #expect(statuses.1 == .accepted, "the same connection is served after the refusal")
        }
        #expect(harness.sink.sent.count == 1)
    }

    @Test("an unknown route is a problem-details 404")
    func unknownRoute() async throws {
        let harness = try await GatewayHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/../../etc/passwd", method: .get)
            #expect(response.status == .notFound)
        }
    }
}
