import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `dev` and `broker` take the operational options of `serve`: a configuration file (checked
/// before anything starts) and the `/metrics` and `/health` endpoint.
@Suite("dev and broker: configuration file and metrics endpoint") struct OperationalOptionsTests {
    /// An unknown key stops the command with status 64 before it starts anything (dev has not
    /// made its data directory), naming the file, the line and the key.
    @Test(arguments: ["dev", "broker"])
    func anUnknownKeyInTheConfigurationFileStopsIt(_ command: String) async throws {
        let directory = temporaryDirectory("reentrybus-\(command)-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(command).yaml")
        try Data("log:\n  level: info\nmetrics:\n  listn: 127.0.0.1:9464\n".utf8).write(to: file)
        let data = directory.appendingPathComponent("data")
        var arguments = [command, "--config", file.path]
        if command == "dev" { arguments += ["--data-dir", data.path, "--dir", topicsDirectory.path, "--gateway-listen", "127.0.0.1:0"] }
        let (termination, process) = try await runReentrybus(arguments)
        #expect(termination == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("\(file.path):4: unknown key metrics.listn; allowed under metrics: listen"), "\(process.errors.value)")
        #expect(!process.output.value.contains("bootstrap servers") && !process.output.value.contains("reentrybus dev:"))
        #expect(!FileManager.default.fileExists(atPath: data.path), "dev started preparing its data directory")
    }

    /// `broker --metrics-listen` serves the same endpoint as `serve`: live and ready while it
    /// runs (it has no consumer group to join), `/metrics` in Prometheus' text format with the
    /// embedded broker's own client metrics; SIGTERM still stops it cleanly.
    @Test func brokerServesHealthAndMetrics() async throws {
        let port = try unusedLocalPort()
        let process = try ChildProcess(try reentrybusBinary(), [
            "broker", "--brokers", "1", "--metrics-listen", "127.0.0.1:\(port)", "--shutdown-deadline", "20", "--log-level", "info",
        ])
        let banner = try await within(.seconds(60), "broker to start") { await process.waitForLine(startingWith: "bootstrap servers:") }
        try #require(banner != nil, "\(process.lastErrorLines())")
        try await Self.waitForTheEndpoint(of: process, port: port)

        let live = try await httpGet(port: port, path: "/health/live")
        #expect(live.status == 200, "\(live)")
        let ready = try await httpGet(port: port, path: "/health/ready")
        #expect(ready.status == 200, "\(ready)")
        let metrics = try await httpGet(port: port, path: "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("reentrybus_kafka_statistics_unreadable_total{client=\"embedded-kafka\"}"), "\(metrics.body.prefix(2_000))")

        process.send(SIGTERM)
        let termination = try await within(.seconds(40), "broker to stop") { await process.waitForExit() }
        #expect(termination == .init(status: 0, bySignal: false), "\(process.lastErrorLines())")
    }

    /// `metrics.listen` and `shutdown-deadline` from `dev --config FILE`: dev serves
    /// `/health/live` and its services' metrics, and stops cleanly on SIGTERM.
    @Test func devServesTheEndpointFromItsConfigurationFile() async throws {
        let directory = temporaryDirectory("reentrybus-dev-metrics")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try unusedLocalPort()
        let file = directory.appendingPathComponent("dev.yaml")
        try Data("metrics:\n  listen: 127.0.0.1:\(port)\nshutdown-deadline: 20\nlog:\n  level: info\n".utf8).write(to: file)
        let process = try ChildProcess(try reentrybusBinary(), [
            "dev", "--gateway-listen", "127.0.0.1:0", "--config", file.path, "--data-dir", directory.appendingPathComponent("data").path, "--dir", topicsDirectory.path,
        ])
        let banner = try await within(.seconds(60), "dev to start") { await process.waitForLine(startingWith: "reentrybus dev:") }
        try #require(banner != nil, "\(process.lastErrorLines())")
        try await Self.waitForTheEndpoint(of: process, port: port)

        let live = try await httpGet(port: port, path: "/health/live")
        #expect(live.status == 200, "\(live)")
        let metrics = try await httpGet(port: port, path: "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("reentrybus_dead_letters_total{service=\"router\"}"), "the services' metrics: \(metrics.body.prefix(2_000))")

        process.send(SIGTERM)
        let termination = try await within(.seconds(40), "dev to stop") { await process.waitForExit() }
        #expect(termination == .init(status: 0, bySignal: false), "\(process.lastErrorLines())")
    }
}

extension OperationalOptionsTests {
    /// Waits for the endpoint's "listening" log line (info), which comes once it accepts
    /// connections: the banner may come first, as every service has started by then but the
    /// server may not have bound its port yet.
    static func waitForTheEndpoint(of process: ChildProcess, port: Int) async throws {
        let line = "Serving /metrics, /health/live and /health/ready"
        try await within(.seconds(60), "the metrics endpoint to listen") {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await process.errors.wait { $0.contains(line) } }
                group.addTask { await process.termination.wait { $0 != nil } }
                await group.next()
                group.cancelAll()
            }
        }
        try #require(process.errors.value.contains(line), "\(process.lastErrorLines())")
        #expect(process.errors.value.contains("127.0.0.1:\(port)"), "\(process.lastErrorLines())")
    }
}

/// Why `httpGet` got no HTTP response.
struct HTTPFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An HTTP response as the tests read it.
struct HTTPResponse: CustomStringConvertible {
    var status: Int
    var body: String
    var description: String { "HTTP \(status): \(body.prefix(500))" }
}

/// `GET path` on 127.0.0.1:`port` (HTTP/1.1, `Connection: close`), read to the end. Blocking
/// socket calls with 10 s timeouts, on a thread of their own (off the cooperative pool).
func httpGet(port: Int, path: String) async throws -> HTTPResponse {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try blockingHTTPGet(port: port, path: path) })
        }
        thread.start()
    }
}

private func blockingHTTPGet(port: Int, path: String) throws -> HTTPResponse {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw HTTPFailure("socket() failed: errno \(errno)") }
    defer { close(descriptor) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HTTPFailure("connect() to 127.0.0.1:\(port) failed: errno \(errno)") }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
    var sent = 0
    while sent < request.count {
        let written = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        guard written > 0 else { throw HTTPFailure("send() failed: errno \(errno)") }
        sent += written
    }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count == 0 { break }
        guard count > 0 else { throw HTTPFailure("recv() failed: errno \(errno)") }
        response += buffer[..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
    else { throw HTTPFailure("not an HTTP response: \(text.prefix(200))") }
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return HTTPResponse(status: status, body: body)
}
