import AsyncHTTPClient
import Audit
import Crypto
import Foundation
@testable import Gateway
import Hummingbird
import HTTPTypes
import NIOCore
import Notifications
import ServiceKit
import Storage
import Synchronization
import Testing

/// Runs `body` with an HTTP client that is shut down whatever `body` does: AsyncHTTPClient
/// traps when a running client is released, which would turn one failed test (a time limit, a
/// thrown error) into a crash of the whole test process.
func withHTTPClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let result: Result<T, any Error>
    do {
        result = .success(try await body(client))
    } catch {
        result = .failure(error)
    }
    try await client.shutdown()
    return try result.get()
}

/// A clock the webhook tests move by hand, so retry schedules are exact and need no waiting.
final class ManualClock: Sendable {
    private let current = Mutex(Date())

    func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A webhook receiver: a Hummingbird server on a port the system picks, which checks every
/// request's Standard Webhooks signature itself (not with the gateway's code) and answers as
/// `plan` says for the request's attempt number of that `webhook-id`.
final class WebhookReceiver: Sendable {
    enum Answer: Sendable {
        case status(Int)
        /// Reads the body, then never answers until the test ends (the gateway times out).
        case stall
        /// `302 Found` to `location`.
        case redirect(to: String)
    }

    struct Received: Sendable {
        var path: String
        var id: String
        var attempt: Int
        var body: [UInt8]
        var signatureValid: Bool
        var answered: Int?
    }

    let secrets: Mutex<[String: String]>
    let plan: @Sendable (_ id: String, _ attempt: Int) -> Answer
    let received = AwaitableState<[Received]>([])
    private let released = AwaitableState(false)
    private let port = AwaitableState<Int?>(nil)
    private let server = Mutex<Task<Void, any Error>?>(nil)

    /// - Parameter secrets: each path's (`/hook/a`) secret, `whsec_…`.
    init(secrets: [String: String] = [:], plan: @escaping @Sendable (_ id: String, _ attempt: Int) -> Answer = { _, _ in .status(204) }) {
        self.secrets = Mutex(secrets)
        self.plan = plan
    }

    /// Starts the server; returns its base URL (`http://127.0.0.1:<port>`).
    func start() async -> String {
        let router = Router()
        router.post("/hook/{name}") { request, context -> Response in try await self.handle(request, path: context.endpointPath ?? "", name: context.parameters.get("name") ?? "") }
        let port = self.port
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.update { $0 = channel.localAddress?.port } })
        server.withLock { $0 = Task { try await application.runService() } }
        await port.wait { $0 != nil }
        return "http://127.0.0.1:\(port.value ?? 0)"
    }

    func stop() async {
        released.update { $0 = true }
        let task = server.withLock { $0 }
        task?.cancel()
        _ = await task?.result
    }

    private func handle(_ request: Request, path: String, name: String) async throws -> Response {
        let id = request.headers[HTTPField.Name("webhook-id")!] ?? ""
        let timestamp = request.headers[HTTPField.Name("webhook-timestamp")!] ?? ""
        let signature = request.headers[HTTPField.Name("webhook-signature")!] ?? ""
        var request = request
        let body = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
        let secret = secrets.withLock { $0["/hook/\(name)"] }
        let valid = secret.map { Self.verify(secret: $0, id: id, timestamp: timestamp, body: body, signature: signature) } ?? false
        var attempt = 0
        received.update { received in
            attempt = received.filter { $0.id == id && $0.path == "/hook/\(name)" }.count + 1
            received.append(Received(path: "/hook/\(name)", id: id, attempt: attempt, body: body, signatureValid: valid, answered: nil))
        }
        switch plan(id, attempt) {
        case .status(let code):
            received.update { received in
                if let index = received.lastIndex(where: { $0.id == id && $0.attempt == attempt && $0.path == "/hook/\(name)" }) { received[index].answered = code }
            }
            return Response(status: HTTPResponse.Status(code: code))
        case .redirect(let location):
            received.update { received in
                if let index = received.lastIndex(where: { $0.id == id && $0.attempt == attempt && $0.path == "/hook/\(name)" }) { received[index].answered = 302 }
            }
            return Response(status: .found, headers: [.location: location])
        case .stall:
            await released.wait { $0 }
            return Response(status: .serviceUnavailable)
        }
    }

    /// The Standard Webhooks check, written from the specification: the base64 part of the
    /// secret is the HMAC-SHA256 key over `<id>.<timestamp>.<body>`; the header lists
    /// space-separated `v1,<base64>` signatures.
    static func verify(secret: String, id: String, timestamp: String, body: [UInt8], signature: String) -> Bool {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))), Int64(timestamp) != nil, !id.isEmpty else { return false }
        let expected = HMAC<Crypto.SHA256>.authenticationCode(for: Data("\(id).\(timestamp).".utf8) + Data(body), using: SymmetricKey(data: key))
        return signature.split(separator: " ").contains { candidate in
            candidate.hasPrefix("v1,") && Data(base64Encoded: String(candidate.dropFirst(3))) == Data(expected)
        }
    }

    /// The ids answered 2xx, per path.
    func accepted(path: String) -> [String] {
        received.value.filter { $0.path == path && ($0.answered.map { (200..<300).contains($0) } ?? false) }.map(\.id)
    }
}

/// One Server-Sent Event as a client reads it.
struct ServerSentEvent: Sendable, Hashable {
    var id: String?
    var event: String?
    var data: String
}

/// Reads a stream as it arrives (a separate HTTP client, as a browser's EventSource would),
/// collecting events and comment lines until cancelled or the server ends it.
final class StreamReader: Sendable {
    let events = AwaitableState<[ServerSentEvent]>([])
    let comments = AwaitableState<[String]>([])
    let ended = AwaitableState(false)
    let status = AwaitableState<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    func start(url: String, token: String, lastEventId: String? = nil, client: HTTPClient) {
        let events = self.events
        let comments = self.comments
        let ended = self.ended
        let status = self.status
        task.withLock {
            $0 = Task {
                defer { ended.update { $0 = true } }
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "authorization", value: "Bearer \(token)")
                if let lastEventId { request.headers.add(name: "last-event-id", value: lastEventId) }
                let response = try await client.execute(request, deadline: .distantFuture)
                status.update { $0 = Int(response.status.code) }
                var pending = ""
                for try await chunk in response.body {
                    pending += String(buffer: chunk)
                    while let range = pending.range(of: "\n\n") {
                        let block = String(pending[..<range.lowerBound])
                        pending = String(pending[range.upperBound...])
                        var event = ServerSentEvent(data: "")
                        var isEvent = false
                        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                            if line.hasPrefix(":") {
                                let text = line.dropFirst().trimmingCharacters(in: .whitespaces)
                                comments.update { $0.append(text) }
                            } else if line.hasPrefix("id: ") {
                                event.id = String(line.dropFirst(4))
                                isEvent = true
                            } else if line.hasPrefix("event: ") {
                                event.event = String(line.dropFirst(7))
                            } else if line.hasPrefix("data: ") {
                                event.data = String(line.dropFirst(6))
                                isEvent = true
                            }
                        }
                        if isEvent { events.update { $0.append(event) } }
                    }
                }
            }
        }
    }

    /// Disconnects, as a client that goes away.
    func stop() async {
        let task = task.withLock { $0 }
        task?.cancel()
        _ = await task?.result
    }
}

/// Every entry of the harness's audit ledger, in order.
func auditEntries(_ ledger: AuditLedger) async throws -> [AuditEntry] {
    try await ledger.storage.read { transaction in
        try transaction.fetchAll("SELECT body FROM audit_entries ORDER BY sequence", []).map { try AuditEntry.decode(try $0.get("body", as: [UInt8].self)) }
    }
}

/// The JSON of a document as a comparable Foundation value.
func jsonObject(_ text: String) throws -> NSDictionary {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
}

/// A JSON value as text with sorted keys: equal documents, equal texts.
func canonical(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
