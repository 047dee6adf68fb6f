import Audit
import Contracts
import Foundation
import Hummingbird
import Policy

/// The read-model views' handlers: authentication, then the views policy (deny by default: a
/// refusal is recorded in the audit ledger before the 403), then the caller's own agency's rows,
/// a page at a time, each redacted field by field, the page recorded before it is sent.
extension GatewayHandlers {
    func view(_ endpoint: ViewEndpoint, _ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let parameters = Self.parameters(of: request)
        guard let views = gateway.views, let definition = views.policy.views[endpoint.name] else {
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
        let requester = try await gateway.placedRequester(for: caller)
        let requestId = RequestIdentity.id(of: request, context: context)
        let rows: [JSONValue]
        do {
            let scope = try allowed(endpoint.name, views: views, caller: caller, requester: requester, parameters: parameters)
            let query = try endpoint.query(ViewRequest(caller: caller, scope: scope, parameters: parameters))
            rows = try await read(query, from: views.source)
        } catch let denied as ViewDenied {
            try await refuse(definition.resource, reason: denied.reason, requester: requester, requestId: requestId)
        }
        // Ordered by key; the page starts strictly after the cursor's key.
        let ordered = rows.map { (key: endpoint.key(of: $0), row: $0) }.sorted { $0.key < $1.key }
        let remaining = cursor.map { cursor in ordered.filter { $0.key > cursor.key } } ?? ordered
        let page = endpoint.key == nil ? remaining : Array(remaining.prefix(limit))
        var items: [JSONValue] = []
        var redactions: [Redaction] = []
        for entry in page {
            let redaction = gateway.disclosure.policy.redact(
                entry.row, classifications: definition.fields, for: requester, context: Self.viewContext(view: endpoint.name, row: entry.row, for: requester))
            redactions.append(redaction)
            items.append(Self.item(redaction))
        }
        if !items.isEmpty {
            try await gateway.record(Disclosure(
                redactions: redactions, requester: requester, requestId: requestId, channel: .api, resource: definition.resource, at: gateway.now()))
        }
        guard endpoint.key != nil else {
            return Self.json(.ok, items.first ?? .object(["row": .null, "withheld": .array([])]))
        }
        let next: JSONValue = page.count == limit && remaining.count > limit ? .string(ViewCursor(view: endpoint.name, key: page[page.count - 1].key).token) : .null
        return Self.json(.ok, .object(["items": .array(items), "nextCursor": next]))
    }

    /// `GET /v1/persons/{identifier}`: what the caller may read of one person (a state ID, an
    /// FBI number, …) in every view their rules allow, within their agency; one audit entry.
    func person(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        // Not an identifier (a traversal, an injection): 400 before anything is read.
        guard let identifier = context.parameters.get("identifier"),
              identifier.range(of: "^[A-Za-z0-9-]{1,40}$", options: .regularExpression) != nil
        else { throw Problem.badRequest("identifier must be 1 to 40 letters, digits or dashes (a state ID, an FBI number, …).") }
        guard let views = gateway.views else { throw Problem.unavailable("The read-model views are not served here.") }
        let requester = try await gateway.placedRequester(for: caller)
        let requestId = RequestIdentity.id(of: request, context: context)
        var sections: [String: JSONValue] = [:]
        var redactions: [Redaction] = []
        var readable = 0
        for endpoint in ViewEndpoint.all where endpoint.key != nil {
            guard let definition = views.policy.views[endpoint.name],
                  case .success(let scope) = views.policy.access(to: endpoint.name, for: requester)
            else { continue }
            readable += 1
            let query: ViewQuery
            do {
                query = try endpoint.query(ViewRequest(caller: caller, scope: scope, parameters: [:]))
            } catch is ViewDenied {
                continue
            }
            let rows = try await read(query, from: views.source)
            let about = rows.filter { row in PersonIdentifier.all(in: row).contains { $0.value == identifier } }
                .sorted { endpoint.key(of: $0) < endpoint.key(of: $1) }
            guard !about.isEmpty else { continue }
            var items: [JSONValue] = []
            for row in about {
                let redaction = gateway.disclosure.policy.redact(
                    row, classifications: definition.fields, for: requester, context: Self.viewContext(view: endpoint.name, row: row, for: requester))
                redactions.append(redaction)
                items.append(Self.item(redaction))
            }
            sections[endpoint.name] = .array(items)
        }
        guard readable > 0 else {
            try await refuse("view.person", reason: requester.agencyKind == nil ? .unknownAgencyKind : .roleNotAllowed, requester: requester,
                             requestId: requestId)
        }
        if !redactions.isEmpty {
            try await gateway.record(Disclosure(
                redactions: redactions, requester: requester, requestId: requestId, channel: .api, resource: "view.person", at: gateway.now()))
        }
        return Self.json(.ok, .object(["identifier": .string(identifier), "views": .object(sections)]))
    }

    // MARK: - Parts

    /// The caller's scope of `view`, or a refusal: no rule for their roles and agency kind, or
    /// a request naming another agency (`agency` parameter).
    func allowed(
        _ view: String, views: GatewayViews, caller: Caller, requester: Requester, parameters: [String: String]
    ) throws(ViewDenied) -> ViewPolicy.Scope {
        let scope: ViewPolicy.Scope
        switch views.policy.access(to: view, for: requester) {
        case .success(let allowed): scope = allowed
        case .failure(.unknownAgencyKind): throw ViewDenied(reason: .unknownAgencyKind)
        case .failure: throw ViewDenied(reason: .roleNotAllowed)
        }
        if let agency = parameters["agency"], agency != caller.agencyId { throw ViewDenied(reason: .otherAgency) }
        return scope
    }

    /// Records the refusal, then answers 403 (503 when it cannot be recorded).
    func refuse(_ resource: String, reason: DenialReason, requester: Requester, requestId: String) async throws(Problem) -> Never {
        try await gateway.record(.denial(requester: requester, requestId: requestId, resource: resource, reason: reason, at: gateway.now()))
        throw Problem.forbidden(Self.explanation(reason))
    }

    static func explanation(_ reason: DenialReason) -> String {
        switch reason {
        case .roleNotAllowed: "None of your roles at your agency's kind may read this view."
        case .otherAgency: "You may read only your own agency's views."
        case .otherOfficer: "You may read only your own caseload."
        case .unknownAgencyKind: "Your agency's kind is not known, so no view is allowed."
        case .notAddressedToCaller: "The notification is not addressed to you."
        }
    }

    /// The rows of `query`; a question the source cannot answer is a 400, a database that cannot
    /// be read a 503.
    func read(_ query: ViewQuery, from source: any ViewSource) async throws(Problem) -> [JSONValue] {
        do {
            return try await source.rows(query, asOf: gateway.now())
        } catch let error as ViewQueryError {
            throw Problem.badRequest("\(error.parameter) \(error.reason).")
        } catch {
            gateway.logger.error("Read models unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The read-model views cannot be read right now.")
        }
    }

    /// What the gateway knows of a view row's disclosure beyond who asks. The one place where a
    /// consent in force or a Part 23 subscription will be looked up (another helper's provider);
    /// until then both are "no": health and intelligence fields are withheld.
    static func viewContext(view: String, row: JSONValue, for requester: Requester) -> DisclosureContext {
        DisclosureContext()
    }

    /// One item of a page: the redacted row, what was withheld and why, and the notices.
    static func item(_ redaction: Redaction) -> JSONValue {
        var item: [String: JSONValue] = ["row": redaction.value, "withheld": document(redaction.withheld)]
        if !redaction.notices.isEmpty { item["notices"] = document(redaction.notices) }
        return .object(item)
    }

    static func parameters(of request: Request) -> [String: String] {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        return parameters
    }
}
