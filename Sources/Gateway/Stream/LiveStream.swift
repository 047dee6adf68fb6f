import Audit
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Notifications
import Policy

/// `GET /v1/stream`: the caller's notifications as Server-Sent Events, in the order the inbox
/// stored them. Each event's `id:` is its arrival position (`ArrivalCursor`), so a client that
/// reconnects with `Last-Event-ID` resumes right after the last one it received (none skipped,
/// none repeated, however long ago a late one occurred); without it the stream starts at the
/// inbox's beginning. `data:` is the same document as an
/// inbox item (redacted by the same policy), and each push is recorded in the audit ledger
/// (channel `stream`) before it is written. A comment line every `heartbeatInterval` keeps a
/// quiet stream open; graceful shutdown ends every stream at its next wait, the caller's token
/// expiring ends theirs, and so does its sign-out (`BearerAuthenticator.revoke(token:)`: at
/// once, even in the middle of a wait, and before anything more is recorded or written).
struct LiveStream: Sendable {
    let gateway: Gateway

    static let lastEventId = HTTPField.Name("Last-Event-ID")!

    func stream(_ request: Request, context: some RequestContext) async throws -> Response {
        let handlers = GatewayHandlers(gateway: gateway)
        let caller = try await handlers.authenticate(request)
        var cursor: ArrivalCursor?
        if let text = request.headers[Self.lastEventId], !text.isEmpty {
            guard let parsed = ArrivalCursor(token: text) else { throw Problem.badRequest("Last-Event-ID is not an id this stream sent.") }
            cursor = parsed
        }
        return try await gateway.liveStream(for: caller, after: cursor, requestId: RequestIdentity.id(of: request, context: context))
    }

    /// Writes the caller's notifications after `cursor` until shutdown, cancellation, the
    /// token's expiry or sign-out, a disclosure that cannot be recorded, or a client that went
    /// away (the write throws).
    static func push(
        gateway: Gateway, caller: Caller, requester: Requester, requestId: String, after start: ArrivalCursor?,
        to writer: inout any ResponseBodyWriter
    ) async throws {
        let settings = gateway.configuration.push
        let follower = InboxFollower(gateway: gateway)
        let clock = ContinuousClock()
        var cursor = start
        var lastWrite = clock.now
        // The reconnection delay clients should use, then at once a comment so the client sees
        // the stream open even when nothing is waiting.
        try await writer.write(ByteBuffer(string: "retry: \(max(WebhookDispatcher.milliseconds(settings.pollInterval), 1_000))\n: connected\n\n"))
        // What is in hand is written before a shutdown is noticed: a read, then the wait.
        while !Task.isCancelled {
            // A token that expires ends the stream: the client reconnects with a fresh one.
            if let expiry = caller.expiresAt, gateway.now() >= expiry {
                try await writer.write(ByteBuffer(string: ": token expired\n\n"))
                return
            }
            // Signed out: nothing more is read, recorded or written for this token.
            if gateway.authenticator.isRevoked(caller) {
                try await writer.write(ByteBuffer(string: ": signed out\n\n"))
                return
            }
            let batch: InboxFollower.Batch
            do {
                batch = try await follower.next(for: caller, as: requester, after: cursor, limit: settings.batchSize)
            } catch {
                gateway.logger.warning("Stream's inbox unreadable; ending the stream", metadata: ["request-id": "\(requestId)", "error-type": "\(type(of: error))"])
                return
            }
            for (position, item) in batch.items {
                if gateway.authenticator.isRevoked(caller) { break }
                do {
                    try await gateway.recorder.record(Disclosure(
                        redactions: [item.redaction], requester: requester, requestId: requestId, channel: .stream,
                        resource: BusNotification.eventType, at: gateway.now()))
                } catch {
                    gateway.logger.error("Disclosure not recorded; stream ended", metadata: ["request-id": "\(requestId)", "error-type": "\(type(of: error))"])
                    return
                }
                try await writer.write(ByteBuffer(string: event(item, at: position)))
                // Past this item even if the next write fails: a reconnect resumes after it.
                cursor = position
                lastWrite = clock.now
            }
            if let lastRead = batch.lastRead { cursor = lastRead }
            if batch.full && !gateway.shutdown.isTriggered { continue }
            if await pause(settings.pollInterval, gateway: gateway, caller: caller) { return }
            if clock.now - lastWrite >= settings.heartbeatInterval {
                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                lastWrite = clock.now
            }
        }
    }

    /// Waits `duration`, or until graceful shutdown or the sign-out of the caller's token,
    /// whichever comes first; true on shutdown (a sign-out is seen at the loop's next check).
    static func pause(_ duration: Duration, gateway: Gateway, caller: Caller) async -> Bool {
        if gateway.shutdown.isTriggered { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await gateway.shutdown.wait() }
            if let digest = caller.tokenDigest {
                group.addTask { await gateway.authenticator.revocations.wait(for: digest) }
            }
            group.addTask {
                do { try await Task.sleep(for: duration) } catch { return }
            }
            await group.next()
            group.cancelAll()
        }
        return gateway.shutdown.isTriggered
    }

    /// One Server-Sent Event: `id:` the item's arrival position, `event: notification`,
    /// `data:` the item (one line: the document has no raw newlines).
    static func event(_ item: DisclosedNotification, at position: ArrivalCursor) -> String {
        "id: \(position.token)\nevent: notification\ndata: \(item.document.description)\n\n"
    }
}

extension Gateway {
    /// The live stream of `caller`'s notifications after `start` (nil: from the inbox's
    /// beginning) as a Server-Sent Events response: what `GET /v1/stream` sends, for a caller
    /// authenticated some other way than a bearer header (the web UI's session cookie). The same
    /// pushes, each recorded in the audit ledger (channel `stream`) before it is written.
    ///
    /// - Throws: `Problem` 503 when the agency directory cannot be read.
    public func liveStream(for caller: Caller, after start: ArrivalCursor?, requestId: String) async throws(Problem) -> Response {
        let requester = try await placedRequester(for: caller)
        let gateway = self
        let body = ResponseBody { writer in
            try await LiveStream.push(gateway: gateway, caller: caller, requester: requester, requestId: requestId, after: start, to: &writer)
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }
}

/// The push channels' routes, added by `buildGatewayRouter`.
func addPushRoutes(to router: Router<BasicRequestContext>, gateway: Gateway) {
    let webhooks = WebhookHandlers(gateway: gateway)
    router.post("/v1/webhooks") { request, context in try await webhooks.register(request, context: context) }
    router.get("/v1/webhooks") { request, context in try await webhooks.list(request, context: context) }
    router.delete("/v1/webhooks/{id}") { request, context in try await webhooks.remove(request, context: context) }
    router.get("/v1/webhooks/{id}/dead-letters") { request, context in try await webhooks.deadLetters(request, context: context) }
    let stream = LiveStream(gateway: gateway)
    router.get("/v1/stream") { request, context in try await stream.stream(request, context: context) }
}
