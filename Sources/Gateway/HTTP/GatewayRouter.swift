import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// The gateway's routes, shared by `GatewayService` and the tests (which drive it without a
/// socket):
/// - `POST /v1/events`: one event (`application/json`) → 202 once the broker stored it.
/// - `POST /v1/events/batch`: NDJSON (`application/x-ndjson`), all or nothing → 202.
/// - `GET /v1/inbox`: the caller's notifications, filtered, a page at a time (`limit`,
///   `cursor`).
/// - `POST /v1/notifications/{id}/ack`: acknowledges one of the caller's notifications.
/// - `POST /v1/session/sign-out`: signs the presented token out of this gateway process until
///   it expires (204; then 401 everywhere here, and its open streams end).
/// - `GET /v1/views/…`, `POST /v1/views/safety-check` (and, deprecated, its GET with the
///   address in the query), `POST /v1/persons/lookup` (and, deprecated,
///   `GET /v1/persons/{identifier}`): the read-model views (`ViewEndpoint`).
/// - `POST/GET /v1/webhooks`, `DELETE /v1/webhooks/{id}`, `GET /v1/webhooks/{id}/dead-letters`:
///   the caller's agency's webhook endpoints (`WebhookHandlers`).
/// - `GET /v1/stream`: the caller's notifications as Server-Sent Events (`LiveStream`).
/// - `GET /openapi.json`: the API's OpenAPI 3.1 document (no token needed).
/// - the pages of `configuration.pages` (the web UI), when set.
///
/// Every error is RFC 9457 problem details; anything unexpected is a bare 500 (`Problem`s
/// only reach clients by design). Every response carries `x-request-id`,
/// `X-Content-Type-Options: nosniff`, and `Cache-Control: no-store` unless it sets its own
/// (`SecurityHeadersMiddleware`).
public func buildGatewayRouter(_ gateway: Gateway, openAPI: [UInt8]) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ProblemMiddleware(logger: gateway.logger))
    let handlers = GatewayHandlers(gateway: gateway)
    router.post("/v1/events") { request, context in try await handlers.ingestOne(request, context: context) }
    router.post("/v1/events/batch") { request, context in try await handlers.ingestBatch(request, context: context) }
    router.get("/v1/inbox") { request, context in try await handlers.inbox(request, context: context) }
    router.post("/v1/notifications/{id}/ack") { request, context in try await handlers.acknowledge(request, context: context) }
    router.post("/v1/session/sign-out") { request, context in try await handlers.signOut(request, context: context) }
    handlers.addViewRoutes(to: router)
    addPushRoutes(to: router, gateway: gateway)
    router.get("/openapi.json") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPI)))
    }
    gateway.configuration.pages?.register(on: router, gateway: gateway)
    return router
}

/// Turns every error into problem details: `Problem`s as they are, Hummingbird's own HTTP
/// errors (404 of an unknown route, 413 of a body past its limit) by their status alone, and
/// anything else into a bare 500 that says nothing about the cause (logged, without data).
/// Adds `x-request-id` to every response, and counts each answer
/// (`reentrybus_gateway_requests_total{route,status}`, `reentrybus_gateway_request_seconds{route}`;
/// the route is its template, `unmatched` for none, so the labels stay bounded).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let requestId = RequestIdentity.id(of: request, context: context)
        var response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            let problem: Problem = switch error.status {
            case .notFound: .notFound
            case .contentTooLarge: Problem(.contentTooLarge, type: "/problems/too-large", title: "Request body too large")
            case .methodNotAllowed: Problem(.methodNotAllowed, type: "/problems/method-not-allowed", title: "Method not allowed")
            case let status where (400..<500).contains(status.code):
                Problem(status, type: "/problems/invalid-request", title: "Invalid request")
            default: Problem(.internalServerError, type: "/problems/internal", title: "Internal error")
            }
            response = try problem.response(from: request, context: context)
        } catch {
            logger.error("Gateway request failed", metadata: ["request-id": "\(requestId)", "error-type": "\(type(of: error))"])
            response = try Problem(.internalServerError, type: "/problems/internal", title: "Internal error").response(from: request, context: context)
        }
        response.headers[RequestIdentity.header] = requestId
        let route = context.endpointPath.map { "\(request.method.rawValue) \($0)" } ?? "unmatched"
        Counter(label: "reentrybus_gateway_requests_total", dimensions: [("route", route), ("status", "\(response.status.code)")]).increment()
        let elapsed = ContinuousClock.now - started
        Metrics.Timer(label: "reentrybus_gateway_request_seconds", dimensions: [("route", route)])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }
}

/// The request's id: the client's `x-request-id` when it is a short token, else the one
/// Hummingbird gave the request.
enum RequestIdentity {
    static let header = HTTPField.Name("x-request-id")!

    static func id(of request: Request, context: some RequestContext) -> String {
        if let given = request.headers[header], (1...64).contains(given.utf8.count), given.utf8.allSatisfy(isTokenByte) {
            return given
        }
        return context.id
    }

    /// Letters, digits, `-`, `_` and `.`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        let letter = lower >= 0x61 && lower <= 0x7A
        let digit = byte >= 0x30 && byte <= 0x39
        return letter || digit || byte == 0x2D || byte == 0x5F || byte == 0x2E
    }
}
