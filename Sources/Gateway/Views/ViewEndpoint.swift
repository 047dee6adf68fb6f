import Audit
import Contracts
import Hummingbird
import Policy
import ReadModels

/// A request to read a view was refused; recorded in the audit ledger, then answered 403.
struct ViewDenied: Error {
    let reason: DenialReason
}

/// What a view endpoint's query is built from: who asks, how far their rule reaches, and the
/// request's parameters.
struct ViewRequest {
    let caller: Caller
    let scope: ViewPolicy.Scope
    let parameters: [String: String]

    /// A whole number parameter within `range`, `fallback` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws(Problem) -> Int {
        guard let text = parameters[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// A coordinate parameter (WGS 84 degrees), nil when absent.
    func degrees(_ name: String) throws(Problem) -> Double? {
        guard let text = parameters[name] else { return nil }
        guard let value = Double(text), value.isFinite else { throw Problem.badRequest("\(name) must be a number of degrees.") }
        return value
    }
}

/// One read-model view of the API: its name in `Policy/views.yaml`, its route, the row member
/// that orders and pages it (nil: one answer, not paged) and the query its parameters make.
struct ViewEndpoint: Sendable {
    let name: String
    let path: String
    /// Members from the row to its key, e.g. `["warrant", "warrantId"]`.
    let key: [String]?
    let query: @Sendable (ViewRequest) throws -> ViewQuery

    /// Release windows: `within` days from now (default 60, at most 3,650).
    static func within(_ request: ViewRequest) throws -> Int { try request.integer("within", in: 0...3_650, default: 60) }

    static let all: [ViewEndpoint] = [
        ViewEndpoint(name: "caseload", path: "/v1/views/caseload", key: ["caseId"]) { request in
            let officer = request.parameters["officer"]
            switch request.scope {
            case .officer:
                // Only their own: naming another officer is a refusal, not an empty page.
                if let officer, officer != request.caller.subject { throw ViewDenied(reason: .otherOfficer) }
                return .caseload(agencyId: request.caller.agencyId, officerId: request.caller.subject)
            case .agency:
                return .caseload(agencyId: request.caller.agencyId, officerId: officer)
            }
        },
        ViewEndpoint(name: "police-releases", path: "/v1/views/police/releases", key: ["releaseId"]) { request in
            .policeReleases(agencyId: request.caller.agencyId, withinDays: try ViewEndpoint.within(request))
        },
        ViewEndpoint(name: "police-warrants", path: "/v1/views/police/warrants", key: ["warrant", "warrantId"]) { request in
            .policeWarrants(agencyId: request.caller.agencyId)
        },
        ViewEndpoint(name: "police-supervisees", path: "/v1/views/police/supervisees", key: ["caseId"]) { request in
            .policeSupervisees(agencyId: request.caller.agencyId)
        },
        ViewEndpoint(name: "police-bulletins", path: "/v1/views/police/bulletins", key: ["bulletinId"]) { request in
            .policeBulletins(agencyId: request.caller.agencyId)
        },
        ViewEndpoint(name: "release-board", path: "/v1/views/release-board", key: ["releaseId"]) { request in
            .releaseBoard(facilityId: request.caller.agencyId, withinDays: try ViewEndpoint.within(request))
        },
        ViewEndpoint(name: "warrant-checks", path: "/v1/views/warrant-checks", key: ["releaseId"]) { request in
            .warrantChecks(agencyId: request.caller.agencyId)
        },
        ViewEndpoint(name: "high-needs", path: "/v1/views/high-needs", key: ["releaseId"]) { request in
            .highNeeds(agencyId: request.caller.agencyId, withinDays: try ViewEndpoint.within(request))
        },
        ViewEndpoint(name: "court-warrants", path: "/v1/views/court/warrants", key: ["warrantId"]) { request in
            .courtWarrants(courtId: request.caller.agencyId)
        },
        ViewEndpoint(name: "court-blocked-releases", path: "/v1/views/court/blocked-releases", key: ["releaseId"]) { request in
            .courtBlockedReleases(courtId: request.caller.agencyId)
        },
        ViewEndpoint(name: "safety-check", path: "/v1/views/safety-check", key: nil) { request in
            guard let address = request.parameters["address"] else { throw Problem.badRequest("address is required: one line, street, city, state ZIP.") }
            let lat = try request.degrees("lat")
            let lon = try request.degrees("lon")
            guard (lat == nil) == (lon == nil) else { throw Problem.badRequest("lat and lon go together: give both or neither.") }
            let radius = try request.integer("radius", in: 1...SafetyStore.maximumRadiusMeters, default: 500)
            let coordinates = lat.flatMap { lat in lon.map { Coordinates(latitude: lat, longitude: $0) } }
            return .safetyCheck(address: address, coordinates: coordinates, radiusMeters: radius)
        },
    ]

    /// The key of `row` that orders and pages the view ("" when the row has none).
    func key(of row: JSONValue) -> String {
        guard let key else { return "" }
        var value = row
        for member in key {
            guard case .object(let members) = value, let next = members[member] else { return "" }
            value = next
        }
        if case .string(let text) = value { return text }
        return ""
    }
}
