import AsyncHTTPClient
import Foundation
import Hummingbird
import LocalPostgres
import Testing
import TestSupport

/// `gateway.form-key-file` end to end: `reentrybus serve gateway --form-key-file` (read by the
/// settings, handed to the web UI by `GatewaySetup`) in separate processes, as instances behind
/// one address without sticky sessions would run. A sign-in form one instance made is accepted by
/// another given the same key file, and refused as expired by one given another key or none (a
/// random key of its own).
@Suite(.serialized, .timeLimit(.minutes(5))) struct FormKeyFileTests {
    @Test("two `serve gateway` processes given the same --form-key-file accept each other's form tokens; one given another key, or none, refuses them")
    func gatewaysShareTheKeyFile() async throws {
        let binary = try reentrybusBinary()
        let directory = temporaryDirectory("form-key-file")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let issuer = TestIssuer()
        let jwks = directory.appendingPathComponent("jwks.json")
        try Data(issuer.jwks.utf8).write(to: jwks)
        func keyFile(_ name: String, byte: UInt8) throws -> URL {
            let file = directory.appendingPathComponent(name)
            try Data(String(repeating: String(format: "%02x", byte), count: 32).utf8).write(to: file)
            return file
        }
        let key = try keyFile("form.key", byte: 0x5A)
        let otherKey = try keyFile("other.key", byte: 0xA5)

        let broker = try ChildProcess(binary, ["broker", "--brokers", "1", "--log-level", "warning"], name: "broker")
        var processes = [broker]
        defer { for process in processes { process.send(SIGTERM) } }
        let announced = await broker.waitForLine(startingWith: "bootstrap servers: ")
        let bootstrap = String(try #require(announced, "the broker ended: \(broker.lastErrorLines())").dropFirst("bootstrap servers: ".count))

        /// A gateway of its own data directory, listening on a port it picks; its base URL.
        func gateway(_ name: String, keyFile: URL?) async throws -> String {
            let data = directory.appendingPathComponent(name, isDirectory: true)
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            let port = try unusedLocalPort()
            let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
                "REENTRYBUS_GATEWAY_ISSUER=\(TestIssuer.issuer)", "REENTRYBUS_GATEWAY_AUDIENCE=\(TestIssuer.audience)",
                binary.path, "serve", "gateway", "--bootstrap", bootstrap, "--data-dir", data.path, "--jwks-file", jwks.path,
                "--listen", "127.0.0.1:\(port)", "--log-level", "info",
            ] + (keyFile.map { ["--form-key-file", $0.path] } ?? []), name: name, mergingErrors: true)
            processes.append(process)
            // Listening, or ended.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await process.output.wait { $0.contains("Gateway listening") } }
                group.addTask { await process.termination.wait { $0 != nil } }
                await group.next()
                group.cancelAll()
            }
            #expect(process.termination.value == nil, "\(name) did not start: \(process.output.value.suffix(2_000))")
            return "http://127.0.0.1:\(port)"
        }
        let first = try await gateway("first", keyFile: key)
        let same = try await gateway("same", keyFile: key)
        let other = try await gateway("other", keyFile: otherKey)
        let none = try await gateway("none", keyFile: nil)
        let token = try await issuer.token()

        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            // The sign-in form of the first instance, as a browser holds it: its pre-session cookie
            // and the form's token bound to it.
            let page = try await client.execute(HTTPClientRequest(url: first + "/ui/sign-in"), timeout: .seconds(30))
            #expect(page.status == .ok)
            // `serve gateway`'s cookies are Secure (TLS ends at the proxy), so `__Host-` named.
            let setCookie = try #require(page.headers["set-cookie"].first { $0.hasPrefix("__Host-reentrybus_csrf=") })
            let cookie = String(setCookie.prefix { $0 != ";" })
            let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
            let field = try #require(html.range(of: "name=\"csrf\" value=\""))
            let csrf = String(html[field.upperBound...].prefix { $0 != "\"" })
            #expect(!csrf.isEmpty)

            for (instance, accepted) in [(first, true), (same, true), (other, false), (none, false)] {
                var request = HTTPClientRequest(url: instance + "/ui/sign-in")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.headers.add(name: "Cookie", value: cookie)
                request.body = .bytes(ByteBuffer(string: "csrf=\(csrf)&token=\(token)"))
                let response = try await client.execute(request, timeout: .seconds(30))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                if accepted {
                    #expect(response.status == .seeOther, "\(instance)")
                    #expect(response.headers["location"].first == "/ui/inbox", "\(instance)")
                } else {
                    #expect(response.status == .forbidden, "\(instance)")
                    #expect(body.contains("The form had expired"), "\(instance)")
                }
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
