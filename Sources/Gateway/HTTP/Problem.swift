import Contracts
import Hummingbird

/// An RFC 9457 problem details answer (`application/problem+json`): the only error body the
/// gateway sends. Its text names fields, rules and limits, never a value of the request (which
/// may hold personal data) and never why a token failed (that would help a forger).
public struct Problem: Error, Sendable, HTTPResponseError {
    /// One schema violation or bad line, as `violations[]` members.
    public struct Violation: Sendable, Hashable {
        /// JSON path in the event, e.g. `$.payload.releaseDate`.
        public var path: String
        /// The JSON Schema keyword that failed (`required`, `format`), or a gateway rule.
        public var keyword: String
        public var message: String
        /// The NDJSON line of a batch (1-based), nil for a single event.
        public var line: Int?

        public init(path: String, keyword: String, message: String, line: Int? = nil) {
            self.path = path
            self.keyword = keyword
            self.message = message
            self.line = line
        }
    }

    public var status: HTTPResponse.Status
    /// A short URI naming the kind of problem, relative to the API (`/problems/…`).
    public var type: String
    public var title: String
    public var detail: String?
    public var violations: [Violation]
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, type: String, title: String, detail: String? = nil, violations: [Violation] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.violations = violations
        self.headers = headers
    }

    public static let contentType = "application/problem+json"

    /// The body: `type`, `title`, `status`, `detail`, and `violations` when there are any.
    public var document: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .number(JSONNumber(Int(status.code))),
        ]
        if let detail { members["detail"] = .string(detail) }
        if !violations.isEmpty {
            members["violations"] = .array(violations.map { violation in
                var member: [String: JSONValue] = [
                    "path": .string(violation.path), "keyword": .string(violation.keyword), "message": .string(violation.message),
                ]
                if let line = violation.line { member["line"] = .number(JSONNumber(Int(line))) }
                return .object(member)
            })
        }
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = Self.contentType
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: document.description)))
    }
}

extension Problem {
    /// 401, the same for every reason a token fails: missing, malformed, forged, expired, not
    /// yet valid, another issuer or audience, an algorithm not allowed.
    public static let unauthenticated = Problem(
        .unauthorized, type: "/problems/unauthenticated", title: "Authentication required",
        detail: "Send a valid bearer token.", headers: [.wwwAuthenticate: "Bearer"])

    /// 404 with nothing about whether the resource exists for someone else.
    public static let notFound = Problem(.notFound, type: "/problems/not-found", title: "Not found")

    public static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, type: "/problems/forbidden", title: "Forbidden", detail: detail)
    }

    public static func badRequest(_ detail: String, violations: [Violation] = []) -> Problem {
        Problem(.badRequest, type: "/problems/invalid-request", title: "Invalid request", detail: detail, violations: violations)
    }

    public static func unsupportedMediaType(expected: String) -> Problem {
        Problem(.unsupportedMediaType, type: "/problems/unsupported-media-type", title: "Unsupported media type",
                detail: "Send Content-Type: \(expected).")
    }

    public static func tooLarge(limit: Int) -> Problem {
        Problem(.contentTooLarge, type: "/problems/too-large", title: "Request body too large",
                detail: "The body may have at most \(limit) bytes.")
    }

    public static func unavailable(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, type: "/problems/unavailable", title: "Service unavailable", detail: detail,
                headers: [.retryAfter: "5"])
    }
}
