import Audit
import Contracts
import Foundation
import Hummingbird
import Kafka
import Notifications
import Policy

/// The routes' handlers: authentication, then the request's shape (content type, size), then
/// the domain rules (`EventIngest`, `InboxAccess`), then the disclosure seams.
struct GatewayHandlers: Sendable {
    let gateway: Gateway

    static let ndjsonTypes: Set<String> = ["application/x-ndjson", "application/ndjson"]

    // MARK: - Authentication and request shape

    func authenticate(_ request: Request) async throws(Problem) -> Caller {
        guard let caller = await gateway.authenticator.caller(authorization: request.headers[.authorization]) else {
            throw Problem.unauthenticated
        }
        return caller
    }

    /// The media type of the request without parameters, lowercased.
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
    }

    /// The body, refused with 413 past `limit` (by its Content-Length before reading, or while
    /// reading one without).
    static func body(of request: Request, limit: Int) async throws(Problem) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw Problem.tooLarge(limit: limit) }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.tooLarge(limit: limit)
        } catch {
            throw Problem.badRequest("The request body could not be read.")
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.description)))
    }

    // MARK: - Ingest

    func ingestOne(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        guard Self.mediaType(request) == "application/json" else { throw Problem.unsupportedMediaType(expected: "application/json") }
        let body = try await Self.body(of: request, limit: gateway.configuration.ingest.maxEventBytes)
        let accepted = try await gateway.ingest.ingest([body], lines: nil, caller: caller)
        return Self.json(.accepted, Self.document(accepted[0]))
    }

    func ingestBatch(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        guard let type = Self.mediaType(request), Self.ndjsonTypes.contains(type) else {
            throw Problem.unsupportedMediaType(expected: "application/x-ndjson")
        }
        let limits = gateway.configuration.ingest
        let body = try await Self.body(of: request, limit: limits.maxBatchBytes)
        var events: [[UInt8]] = []
        var lines: [Int] = []
        var blank: [Problem.Violation] = []
        let split = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // One newline at the end is the line's terminator, not an empty line.
        let count = split.last?.isEmpty == true ? split.count - 1 : split.count
        for (index, line) in split.prefix(count).enumerated() {
            let bytes = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                blank.append(.init(path: "$", keyword: "json", message: "an empty line; each line is one event", line: index + 1))
                continue
            }
            events.append(Array(bytes))
            lines.append(index + 1)
        }
        guard events.count + blank.count <= limits.maxBatchEvents else {
            throw Problem(.contentTooLarge, type: "/problems/too-large", title: "Too many events",
                          detail: "A batch may hold at most \(limits.maxBatchEvents) events.")
        }
        guard blank.isEmpty else { throw Problem.badRequest("\(blank.count) problem(s) in the batch; nothing was sent.", violations: blank) }
        let accepted = try await gateway.ingest.ingest(events, lines: lines, caller: caller)
        return Self.json(.accepted, .object(["events": .array(accepted.map(Self.document))]))
    }

    static func document(_ accepted: EventIngest.Accepted) -> JSONValue {
        .object([
            "eventId": .string(accepted.eventId), "topic": .string(accepted.topic), "status": "accepted",
            "acceptedAt": .string(EventCodec.formatInstant(accepted.acceptedAt)),
        ])
    }

    // MARK: - Inbox

    func inbox(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let parameters = request.uri.queryParameters
        var limit = 50
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...gateway.configuration.maxPageSize).contains(value) else {
                throw Problem.badRequest("limit must be a whole number from 1 to \(gateway.configuration.maxPageSize).")
            }
            limit = value
        }
        var cursor: InboxCursor?
        if let text = parameters["cursor"] {
            guard let parsed = InboxCursor(token: String(text)) else { throw Problem.badRequest("cursor is not one this API returned.") }
            cursor = parsed
        }
        let page = try await gateway.inboxPage(for: caller, after: cursor, limit: limit, requestId: RequestIdentity.id(of: request, context: context))
        // Each item is the document a webhook's body and a stream event's data carry.
        let items: [JSONValue] = page.items.map(\.document)
        return Self.json(.ok, .object(["items": .array(items), "nextCursor": page.next.map { .string($0.token) } ?? .null]))
    }

    /// Each withheld member: its path from the root (`$.summary`), its classifications, the
    /// reason's code (the `bus.audit` contract's) and the reason in words.
    static func document(_ withheld: [WithheldField]) -> JSONValue {
        .array(withheld.map { field in
            .object([
                "path": .string(field.field == "$" ? "$" : "$.\(field.field)"),
                "classifications": .array(field.classifications.map { .string($0.rawValue) }),
                "code": .string(field.reason.rawValue), "reason": .string(field.reason.explanation),
            ])
        })
    }

    /// The notices that travel with the data (the 42 CFR Part 2 notice with health fields).
    static func document(_ notices: [DisclosureNotice]) -> JSONValue {
        .array(notices.map { .object(["code": .string($0.rawValue), "text": .string($0.text)]) })
    }

    // MARK: - Sign-out

    /// `POST /v1/session/sign-out`: the presented token authenticates nothing more in this
    /// gateway process until it expires (`/v1`, the pages, and its open live streams end), as
    /// the web UI's sign-out does for its session. 204; a token that does not verify (already
    /// signed out, expired, forged) gets the one 401. Any body is ignored.
    func signOut(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        gateway.authenticator.revoke(caller)
        return Response(status: .noContent)
    }

    // MARK: - Acknowledgement

    func acknowledge(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        // Not a UUID (a traversal, an injection, a typo): the same 404 as someone else's.
        guard let raw = context.parameters.get("id"), raw.utf8.count == 36, UUID(uuidString: raw) != nil else { throw Problem.notFound }
        let id = raw.lowercased()
        var note: String?
        let body = try await Self.body(of: request, limit: 16 * 1024)
        if !body.isEmpty {
            guard Self.mediaType(request) == "application/json" else { throw Problem.unsupportedMediaType(expected: "application/json") }
            note = try Self.note(in: body)
        }
        let ack = try await gateway.acknowledge(notificationId: id, note: note, by: caller, requestId: RequestIdentity.id(of: request, context: context))
        return Self.json(.accepted, .object([
            "acknowledgementId": .string(ack.id), "notificationId": .string(ack.notificationId), "by": .string(ack.by.description),
            "actor": .string(ack.actor ?? caller.subject), "at": .string(EventCodec.formatInstant(ack.at)),
        ]))
    }

    /// `{"note": "…"}` (1 to 2,000 characters) or `{}`.
    static func note(in body: [UInt8]) throws(Problem) -> String? {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body, limits: JSONDecodingLimits(maxDocumentBytes: 16 * 1024, maxNestingDepth: 4))
        } catch {
            throw Problem.badRequest("The body is not one JSON object.", violations: [.init(path: "$", keyword: "json", message: "\(error)")])
        }
        guard case .object(let members) = document, Set(members.keys).isSubset(of: ["note"]) else {
            throw Problem.badRequest("The body may hold only note.", violations: [.init(path: "$", keyword: "additionalProperties", message: "only note is allowed")])
        }
        guard let value = members["note"] else { return nil }
        guard case .string(let note) = value, (1...2_000).contains(note.count) else {
            throw Problem.badRequest("note must be a string of 1 to 2,000 characters.",
                                     violations: [.init(path: "$.note", keyword: "maxLength", message: "1 to 2,000 characters")])
        }
        return note
    }
}
