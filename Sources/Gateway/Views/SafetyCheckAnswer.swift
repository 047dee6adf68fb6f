import Audit
import Foundation
import Contracts
import Policy
import ReadModels

/// A view's one row as a caller may see it: the policy's redaction of it, what was withheld and
/// why, and the notices that travel with it. Holds nothing the caller may not see.
public struct VisibleViewRow: Sendable {
    /// The row without the withheld fields.
    public var row: JSONValue
    public var withheld: [WithheldField]
    public var notices: [DisclosureNotice]
}

/// A safety-check question that cannot be asked, found before anything is read: the form field
/// it concerns (`address` or `radius`) and why, in words for a message beside that field.
public struct SafetyCheckInputError: Error, Sendable, Hashable {
    public var field: String
    public var reason: String
}

/// The officer-safety check for callers that are not HTTP requests to `GET /v1/views/safety-check`
/// (the web UI's form): the same endpoint definition (`ViewEndpoint.all`'s `safety-check`), the
/// same views policy (a refusal recorded before it is answered), the same read, redaction and
/// audit entry as the JSON handler.
extension Gateway {
    /// The longest address the check accepts: one line, street to ZIP.
    public static let maxSafetyCheckAddressLength = 200

    /// Checks a question without reading anything: an address present, at most
    /// `maxSafetyCheckAddressLength` characters, that reads as "street, city, state ZIP"; a
    /// radius from 1 to the store's maximum.
    ///
    /// - Throws: `SafetyCheckInputError` naming the field and why.
    public static func checkSafetyQuestion(address: String, radiusMeters: Int) throws(SafetyCheckInputError) {
        let address = address.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !address.isEmpty else { throw SafetyCheckInputError(field: "address", reason: "Enter the address you are about to visit.") }
        guard address.count <= maxSafetyCheckAddressLength else {
            throw SafetyCheckInputError(field: "address", reason: "That is too long for an address (at most \(maxSafetyCheckAddressLength) characters).")
        }
        guard (1...SafetyStore.maximumRadiusMeters).contains(radiusMeters) else {
            throw SafetyCheckInputError(field: "radius", reason: "The radius must be from 1 to \(SafetyStore.maximumRadiusMeters) metres.")
        }
        do {
            try SafetyStore.validate(address: .text(address), coordinates: nil, radiusMeters: radiusMeters)
        } catch {
            let field = error.field == "radiusMeters" ? "radius" : "address"
            throw SafetyCheckInputError(field: field, reason: "This does not read as an address: \(error.reason).")
        }
    }

    /// The safety check of `address` within `radiusMeters` for `caller`, redacted; nil when the
    /// check returned no row. The disclosure is recorded before this returns; a caller the views
    /// policy does not allow is a refusal recorded in the ledger, then `Problem` 403.
    ///
    /// - Throws: `Problem` 400 for a question `checkSafetyQuestion` refuses; 403 as said; 503
    ///   when the views are not served here, cannot be read, or the disclosure not recorded.
    public func safetyCheck(address: String, radiusMeters: Int, for caller: Caller, requestId: String) async throws(Problem) -> VisibleViewRow? {
        do {
            try Self.checkSafetyQuestion(address: address, radiusMeters: radiusMeters)
        } catch {
            throw Problem.badRequest("\(error.field): \(error.reason)")
        }
        guard let views, let endpoint = ViewEndpoint.all.first(where: { $0.name == "safety-check" }),
              let definition = views.policy.views[endpoint.name]
        else { throw Problem.unavailable("The read-model views are not served here.") }
        let handlers = GatewayHandlers(gateway: self)
        let parameters = ["address": address.trimmingCharacters(in: .whitespacesAndNewlines), "radius": String(radiusMeters)]
        let requester = try await placedRequester(for: caller)
        let rows: [JSONValue]
        do {
            let scope = try handlers.allowed(endpoint.name, views: views, caller: caller, requester: requester, parameters: parameters)
            let query = try endpoint.query(ViewRequest(caller: caller, scope: scope, parameters: parameters))
            rows = try await handlers.read(query, from: views.source)
        } catch let denied as ViewDenied {
            try await handlers.refuse(definition.resource, reason: denied.reason, requester: requester, requestId: requestId)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.badRequest("The question could not be asked.")
        }
        guard let row = rows.first else { return nil }
        let redaction = disclosure.policy.redact(
            row, classifications: definition.fields, for: requester,
            context: GatewayHandlers.viewContext(view: endpoint.name, row: row, for: requester))
        try await record(Disclosure(
            redactions: [redaction], requester: requester, requestId: requestId, channel: .api, resource: definition.resource, at: now()))
        return VisibleViewRow(row: redaction.value, withheld: redaction.withheld, notices: redaction.notices)
    }
}
