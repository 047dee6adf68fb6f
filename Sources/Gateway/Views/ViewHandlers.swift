import Audit
import Contracts
import Foundation
import Hummingbird
import Policy

/// The read-model views' HTTP handlers: authentication and the query string, then
/// `Gateway.viewPage` / `Gateway.personPage` (the views policy, deny by default, a refusal
/// recorded before the 403; the caller's own agency's rows, redacted field by field, the page
/// recorded before it is sent), shared with the web UI's pages.
extension GatewayHandlers {
    func view(_ endpoint: ViewEndpoint, _ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        return try await view(endpoint, parameters: Self.parameters(of: request), for: caller, request: request, context: context)
    }

    /// `POST /v1/views/safety-check` with `{"address": "…"}` and optionally `"lat"`, `"lon"`
    /// (numbers, together), `"radius"` (a whole number of metres) and `"agency"` (the caller's
    /// own) (`application/json`, at most 2 KiB): the same answer and audit entry as
    /// `GET /v1/views/safety-check?address=…` (deprecated), the address in the body, never in a
    /// URL.
    func safetyCheckLookup(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let document = try await Self.jsonBody(of: request, limit: 2_048)
        let shape = "The body must be {\"address\": \"…\"} with, optionally, \"lat\" and \"lon\" (numbers), \"radius\" (a whole number) and \"agency\", nothing else."
        guard case .object(let members) = document, case .string(let address)? = members["address"],
            Set(members.keys).isSubset(of: ["address", "agency", "lat", "lon", "radius"])
        else {
            throw Problem.badRequest(
                shape, violations: [.init(path: "$.address", keyword: "required", message: "one string member address; agency, lat, lon, radius optional; no other")])
        }
        var parameters = ["address": address]
        if let value = members["agency"] {
            guard case .string(let agency) = value else {
                throw Problem.badRequest(shape, violations: [.init(path: "$.agency", keyword: "type", message: "a string")])
            }
            parameters["agency"] = agency
        }
        for name in ["lat", "lon", "radius"] {
            guard let value = members[name] else { continue }
            guard case .number(let number) = value else {
                throw Problem.badRequest(shape, violations: [.init(path: "$.\(name)", keyword: "type", message: "a number")])
            }
            parameters[name] = "\(number)"
        }
        guard let endpoint = ViewEndpoint.all.first(where: { $0.name == "safety-check" }) else {
            throw Problem.unavailable("The read-model views are not served here.")
        }
        return try await view(endpoint, parameters: parameters, for: caller, request: request, context: context)
    }

    func view(
        _ endpoint: ViewEndpoint, parameters: [String: String], for caller: Caller, request: Request, context: some RequestContext
    ) async throws -> Response {
        guard let views = gateway.views, views.policy.views[endpoint.name] != nil else {
            throw Problem.unavailable("The read-model views are not served here.")
        }
        var limit = 50
        var cursor: ViewCursor?
        if endpoint.key != nil {
            limit = try ViewRequest(caller: caller, scope: .agency, parameters: parameters)
                .integer("limit", in: 1...gateway.configuration.maxPageSize, default: 50)
            if let text = parameters["cursor"] {
                guard let parsed = ViewCursor(token: text, view: endpoint.name) else { throw Problem.badRequest("cursor is not one this API returned for this view.") }
                cursor = parsed
            }
        }
        let page = try await gateway.viewPage(
            endpoint.name, for: caller, parameters: parameters, after: cursor, limit: limit, requestId: RequestIdentity.id(of: request, context: context))
        let items = page.items.map(Self.item)
        guard endpoint.key != nil else {
            return Self.json(.ok, items.first ?? .object(["row": .null, "withheld": .array([])]))
        }
        return Self.json(.ok, .object(["items": .array(items), "nextCursor": page.next.map { .string($0.token) } ?? .null]))
    }

    /// `GET /v1/persons/{identifier}` (deprecated: the identifier lands in URLs, so in proxy and
    /// server logs; use `POST /v1/persons/lookup`): what the caller may read of one person (a
    /// state ID, an FBI number, …) in every view their rules allow, within their agency; one
    /// audit entry.
    func person(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        return try await person(context.parameters.get("identifier") ?? "", for: caller, request: request, context: context)
    }

    /// `POST /v1/persons/lookup` with `{"identifier": "…"}` (`application/json`, at most 1 KiB):
    /// the same answer as `GET /v1/persons/{identifier}`, the identifier in the body, never in
    /// a URL.
    func personLookup(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let document = try await Self.jsonBody(of: request, limit: 1_024)
        guard case .object(let members) = document, Set(members.keys) == ["identifier"], case .string(let identifier)? = members["identifier"] else {
            throw Problem.badRequest(
                "The body must be {\"identifier\": \"…\"} and nothing else.",
                violations: [.init(path: "$.identifier", keyword: "required", message: "one string member identifier, no other")])
        }
        return try await person(identifier, for: caller, request: request, context: context)
    }

    func person(_ identifier: String, for caller: Caller, request: Request, context: some RequestContext) async throws -> Response {
        let page = try await gateway.personPage(identifier, for: caller, requestId: RequestIdentity.id(of: request, context: context))
        var sections: [String: JSONValue] = [:]
        for section in page.sections { sections[section.view] = .array(section.items.map(Self.item)) }
        return Self.json(.ok, .object(["identifier": .string(page.identifier), "views": .object(sections)]))
    }

    // MARK: - Parts

    /// One item of a page: the redacted row, what was withheld and why, and the notices.
    static func item(_ row: VisibleViewRow) -> JSONValue {
        var item: [String: JSONValue] = ["row": row.value, "withheld": document(row.withheld)]
        if !row.notices.isEmpty { item["notices"] = document(row.notices) }
        return .object(item)
    }

    static func parameters(of request: Request) -> [String: String] {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        return parameters
    }

    /// The request's `application/json` body of at most `limit` bytes, parsed (415 for another
    /// type, 413 past the limit, 400 when it is not JSON): what the POST lookups read.
    static func jsonBody(of request: Request, limit: Int) async throws -> JSONValue {
        guard mediaType(request) == "application/json" else { throw Problem.unsupportedMediaType(expected: "application/json") }
        let body = try await body(of: request, limit: limit)
        do {
            return try JSONValue(parsing: body, limits: JSONDecodingLimits(maxDocumentBytes: limit, maxNestingDepth: 4))
        } catch {
            throw Problem.badRequest("The body is not one JSON object.", violations: [.init(path: "$", keyword: "json", message: "not JSON")])
        }
    }

}
