import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

/// The OpenAPI document kept in the repository matches the router, both ways.
@Suite struct OpenAPITests {
    @Test("every route of the router is in the document, and every operation of the document is a route")
    func documentMatchesRouter() async throws {
        let harness = try await GatewayHarness()
        let routes = Set(harness.router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let document = try JSONSerialization.jsonObject(with: Data(try OpenAPIDocument.bytes())) as! [String: Any]
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        let documented = Set(paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
        #expect(routes.count >= 5)
        #expect(routes == documented, "router only: \(routes.subtracting(documented)); document only: \(documented.subtracting(routes))")
    }

    @Test("the document is served at /openapi.json without a token")
    func servedWithoutToken() async throws {
        let harness = try await GatewayHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(Array(response.body.readableBytesView) == (try OpenAPIDocument.bytes()))
        }
    }
}
