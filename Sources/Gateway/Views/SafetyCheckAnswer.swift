import Audit
import Foundation
import Contracts
import Policy
import ReadModels

/// A safety-check question that cannot be asked, found before anything is read: the form field
/// it concerns (`address` or `radius`) and why, in words for a message beside that field.
public struct SafetyCheckInputError: Error, Sendable, Hashable {
    public var field: String
    public var reason: String
}

/// The officer-safety check for callers that are not HTTP requests to `/v1/views/safety-check`
/// (the web UI's form): its input checked field by field first, then `viewPage("safety-check")`,
/// the JSON handler's own path (policy, refusal recorded, redaction, audit entry).
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
        let parameters = ["address": address.trimmingCharacters(in: .whitespacesAndNewlines), "radius": String(radiusMeters)]
        return try await viewPage("safety-check", for: caller, parameters: parameters, after: nil, limit: 1, requestId: requestId).items.first
    }
}
