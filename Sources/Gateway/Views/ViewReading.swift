import Audit
import Contracts
import Foundation
import Placeholders
import Policy

/// One row of a read-model view as a caller may see it: the access policy's redaction of it,
/// what was withheld and why, the notices that travel with it. Holds nothing the caller may
/// not see.
public struct VisibleViewRow: Sendable {
    /// The row's key (`releaseId`, `caseId`, a warrant id; "" for a view that is one answer):
    /// what orders and pages the view.
    public var key: String
    /// The row without the withheld fields.
    public var value: JSONValue
    public var withheld: [WithheldField]
    public var notices: [DisclosureNotice]
}

/// A page of a view, ordered by key, and where the next one starts.
public struct ViewPage: Sendable {
    /// The view's name in `Policy/views.yaml`, e.g. `police-releases`.
    public var view: String
    public var items: [VisibleViewRow]
    /// After the last row of a full page when more follow; nil otherwise (and always for a
    /// view that is one answer, such as `safety-check`).
    public var next: ViewCursor?
}

/// What a caller may see of one person: per view they may read, the rows about the person.
public struct PersonPage: Sendable {
    /// The rows of one view about the person, ordered by key.
    public struct Section: Sendable {
        public var view: String
        public var items: [VisibleViewRow]
    }

    public var identifier: String
    /// Only views holding rows about the person, in the order of the gateway's view endpoints.
    public var sections: [Section]

    public var isEmpty: Bool { sections.isEmpty }
}

/// The read-model views as every output path reads them (`GET /v1/views/…`,
/// `GET /v1/persons/{identifier}` and the web UI's pages): the views policy (a refusal recorded
/// in the audit ledger before it is answered), the caller's own agency's rows, the redaction
/// field by field, and one audit entry recorded before anything is returned. One
/// implementation, so the API and the pages cannot disagree on what a caller sees.
extension Gateway {
    /// A page of view `name` (a name of `Policy/views.yaml`) for `caller`, after `cursor`, at
    /// most `limit` rows (1 to `maxPageSize`); the disclosure is recorded (when anything is
    /// shown) before this returns.
    ///
    /// - Parameter parameters: the view's query parameters (`within`, `officer`, `address`, …),
    ///   as the API's query string carries them.
    /// - Throws: `Problem` 404 when no view has that name; 403 when the policy refuses the
    ///   caller (recorded first); 400 for a cursor of another view or a parameter the view
    ///   cannot read; 503 when the views are not served here, cannot be read, or the disclosure
    ///   not recorded.
    public func viewPage(
        _ name: String, for caller: Caller, parameters: [String: String], after cursor: ViewCursor?, limit: Int, requestId: String
    ) async throws(Problem) -> ViewPage {
        guard let endpoint = ViewEndpoint.all.first(where: { $0.name == name }) else { throw Problem.notFound }
        guard let views, let definition = views.policy.views[name] else { throw Problem.unavailable("The read-model views are not served here.") }
        if let cursor, cursor.view != name { throw Problem.badRequest("cursor is not one this API returned for this view.") }
        let limit = min(max(1, limit), configuration.maxPageSize)
        let requester = try await placedRequester(for: caller)
        let rows: [JSONValue]
        do {
            let scope = try Self.allowedView(name, views: views, caller: caller, requester: requester, parameters: parameters)
            let query = try endpoint.query(ViewRequest(caller: caller, scope: scope, parameters: parameters))
            rows = try await readView(query, from: views.source)
        } catch let denied as ViewDenied {
            try await refuseView(definition.resource, reason: denied.reason, requester: requester, requestId: requestId)
        } catch let problem as Problem {
            throw problem
        } catch {
            logger.error("View query not built", metadata: ["view": "\(name)", "error-type": "\(type(of: error))"])
            throw Problem.unavailable("The read-model views cannot be read right now.")
        }
        // Ordered by key; the page starts strictly after the cursor's key.
        let ordered = rows.map { (key: endpoint.key(of: $0), row: $0) }.sorted { $0.key < $1.key }
        let remaining = cursor.map { cursor in ordered.filter { $0.key > cursor.key } } ?? ordered
        let page = endpoint.key == nil ? remaining : Array(remaining.prefix(limit))
        var items: [VisibleViewRow] = []
        var redactions: [Redaction] = []
        for entry in page {
            let redaction = redactViewRow(entry.row, view: name, classifications: definition.fields, for: requester)
            redactions.append(redaction)
            items.append(VisibleViewRow(key: entry.key, value: redaction.value, withheld: redaction.withheld, notices: redaction.notices))
        }
        if !items.isEmpty {
            try await record(Disclosure(
                redactions: redactions, requester: requester, requestId: requestId, channel: .api, resource: definition.resource, at: now()))
        }
        let full = endpoint.key != nil && page.count == limit && remaining.count > limit
        return ViewPage(view: name, items: items, next: full ? ViewCursor(view: name, key: page[page.count - 1].key) : nil)
    }

    /// What `caller` may read of one person (`identifier`: a state ID, an FBI number, …) in
    /// every view their rules allow, within their agency; one audit entry when anything is shown.
    ///
    /// - Throws: `Problem` 400 when `identifier` is not 1 to 40 letters, digits or dashes, or
    ///   says there is no number ("UNKNOWN"); 403
    ///   when no view at all is allowed to the caller (recorded first); 503 as `viewPage`.
    public func personPage(_ identifier: String, for caller: Caller, requestId: String) async throws(Problem) -> PersonPage {
        // Not an identifier (a traversal, an injection): 400 before anything is read.
        guard Self.isPersonIdentifier(identifier) else {
            throw Problem.badRequest(
                "identifier must be 1 to 40 letters, digits or dashes (a state ID, an FBI number, …), not a value that says there is none (UNKNOWN, zeros).")
        }
        guard let views else { throw Problem.unavailable("The read-model views are not served here.") }
        let requester = try await placedRequester(for: caller)
        var sections: [PersonPage.Section] = []
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
            } catch let problem as Problem {
                throw problem
            } catch {
                logger.error("View query not built", metadata: ["view": "\(endpoint.name)", "error-type": "\(type(of: error))"])
                throw Problem.unavailable("The read-model views cannot be read right now.")
            }
            let rows = try await readView(query, from: views.source)
            let about = rows.filter { row in PersonIdentifier.all(in: row).contains { $0.value == identifier } }
                .map { (key: endpoint.key(of: $0), row: $0) }.sorted { $0.key < $1.key }
            var items: [VisibleViewRow] = []
            for entry in about {
                let redaction = redactViewRow(entry.row, view: endpoint.name, classifications: definition.fields, for: requester)
                // Found only by an identifier the caller may see: a row matched on one its
                // redaction withholds would tell them what the redaction hides (reentry
                // services, who may not see criminal-justice information, would learn from a
                // high-needs row that the person is releasing soon, high risk or violent).
                guard PersonIdentifier.all(in: redaction.value).contains(where: { $0.value == identifier }) else { continue }
                redactions.append(redaction)
                items.append(VisibleViewRow(key: entry.key, value: redaction.value, withheld: redaction.withheld, notices: redaction.notices))
            }
            guard !items.isEmpty else { continue }
            sections.append(PersonPage.Section(view: endpoint.name, items: items))
        }
        guard readable > 0 else {
            try await refuseView("view.person", reason: requester.agencyKind == nil ? .unknownAgencyKind : .roleNotAllowed, requester: requester,
                                 requestId: requestId)
        }
        if !redactions.isEmpty {
            try await record(Disclosure(
                redactions: redactions, requester: requester, requestId: requestId, channel: .api, resource: "view.person", at: now()))
        }
        return PersonPage(identifier: identifier, sections: sections)
    }

    /// The views some rule of the views policy offers `caller`'s roles and purpose (and the
    /// agency kind their token states, when it states one): for navigation only, so that a page offers
    /// links its user can follow without a read. Every read is decided by `viewPage`, which
    /// also knows the agency kind from the directory.
    public func viewsOffered(to caller: Caller) -> Set<String> {
        guard let views else { return [] }
        let roles = Set(caller.accessRoles)
        var offered: Set<String> = []
        for (name, view) in views.policy.views {
            let matches = view.rules.contains { $0.admits(roles: roles, agencyKind: caller.agencyKind?.rawValue, purpose: caller.purpose) }
            if matches { offered.insert(name) }
        }
        return offered
    }

    /// The gateway's clock (tests set it): pages that place view rows in time (the releases
    /// calendar, overdue deadlines) use the moment the views were read at.
    public func currentDate() -> Date { now() }

    /// Whether `text` can be a person's identifier (a state ID, an FBI number): 1 to 40
    /// letters, digits or dashes, and not a value that says there is no number ("UNKNOWN",
    /// zeros: rows stored before such values were read as none would show strangers as one).
    public static func isPersonIdentifier(_ text: String) -> Bool {
        text.range(of: "^[A-Za-z0-9-]{1,40}$", options: .regularExpression) != nil && !PersonNumberPlaceholder.isPlaceholder(text)
    }

    // MARK: - Parts

    /// The caller's scope of `view`, or a refusal: no rule for their roles and agency kind, or
    /// a request naming another agency (`agency` parameter).
    static func allowedView(
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
    func refuseView(_ resource: String, reason: DenialReason, requester: Requester, requestId: String) async throws(Problem) -> Never {
        try await record(.denial(requester: requester, requestId: requestId, resource: resource, reason: reason, at: now()))
        throw Problem.forbidden(Self.viewDenialExplanation(reason))
    }

    static func viewDenialExplanation(_ reason: DenialReason) -> String {
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
    func readView(_ query: ViewQuery, from source: any ViewSource) async throws(Problem) -> [JSONValue] {
        do {
            return try await source.rows(query, asOf: now())
        } catch let error as ViewQueryError {
            throw Problem.badRequest("\(error.parameter) \(error.reason).")
        } catch {
            logger.error("Read models unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The read-model views cannot be read right now.")
        }
    }

    /// `row` of `view` as `requester` may see it. What the gateway knows of a view row's
    /// disclosure beyond who asks is the one place where a consent in force or a Part 23
    /// subscription will be looked up; until then both are "no": health and intelligence
    /// fields are withheld.
    func redactViewRow(_ row: JSONValue, view: String, classifications: [String: [FieldClassification]], for requester: Requester) -> Redaction {
        disclosure.policy.redact(row, classifications: classifications, for: requester, context: DisclosureContext())
    }
}
