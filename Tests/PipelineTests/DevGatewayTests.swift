import Foundation
import Hummingbird
import HummingbirdTesting
import LocalPostgres
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `dev` runs the gateway: it prints its URL and a token per demo user, keeps the demo key in
/// the data directory (owner-only, never printed), and the tokens work against it.
@Suite struct DevGatewayTests {
    @Test func devPrintsTheGatewayURLAndWorkingTokens() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("reentrybus-dev-gateway-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = try ChildProcess(try reentrybusBinary(), [
            "dev", "--gateway-listen", "127.0.0.1:0", "--data-dir", directory.path, "--dir", topicsDirectory.path, "--shutdown-deadline", "20",
            "--log-level", "debug",
        ])
        let line = try await within(.seconds(60), "dev's gateway to listen") { await process.waitForLine(startingWith: "gateway: http://") }
        let url = try #require(line?.split(separator: " ").dropFirst().first.map(String.init), "\(process.lastErrorLines())")
        let port = try #require(url.split(separator: ":").last.flatMap { Int($0) })
        await process.output.wait { $0.contains("police system, integrator") }
        let output = process.output.value
        let officerLine = try #require(output.split(separator: "\n").first { $0.contains("probation officer (MO-DOC-PP)") })
        let token = try #require(officerLine.split(separator: " ").last.map(String.init))

        let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20)))
        client.connect()
        let inbox = try await client.execute(TestClient.Request(
            "/v1/inbox", method: .get, authority: "localhost", headers: [.authorization: "Bearer \(token)"]))
        #expect(inbox.status == .ok)
        let forged = try await client.execute(TestClient.Request(
            "/v1/inbox", method: .get, authority: "localhost", headers: [.authorization: "Bearer \(token.dropLast(4))AAAA"]))
        #expect(forged.status == .unauthorized)
        try await client.shutdown()

        let keyFile = directory.appendingPathComponent("gateway-demo-key.pem")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let pem = try String(contentsOf: keyFile, encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        #expect(!body.isEmpty)
        #expect(!process.output.value.contains(body) && !process.errors.value.contains(body), "the private key is never printed or logged")

        process.send(SIGTERM)
        let termination = try await within(.seconds(40), "dev to stop") { await process.waitForExit() }
        #expect(termination == .init(status: 0, bySignal: false), "\(process.lastErrorLines())")
    }
}
