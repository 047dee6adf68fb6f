import Contracts
import Directory
import Foundation
import Notifications
import ReadModels
import Storage
import Warrants

/// One read of a read-model view, already scoped to the caller's agency by the gateway (the
/// source never widens it): the question each view endpoint asks its source.
public enum ViewQuery: Sendable, Hashable {
    /// An officer's supervisees (`officerId`) or all of an agency's, only rows of `agencyId`.
    case caseload(agencyId: String, officerId: String?)
    case policeReleases(agencyId: String, withinDays: Int)
    case policeWarrants(agencyId: String)
    case policeSupervisees(agencyId: String)
    case policeBulletins(agencyId: String)
    case releaseBoard(facilityId: String, withinDays: Int)
    /// The open checks that concern the agency: its facility's, its warrants' or detainers', or
    /// ones it was told about.
    case warrantChecks(agencyId: String)
    /// The high-needs releases into the places of the reentry-services agency's jurisdiction
    /// (the agency directory): the router tells only the agency serving a release's
    /// destination, and the view shows it no more.
    case highNeeds(agencyId: String, withinDays: Int)
    case courtWarrants(courtId: String)
    case courtBlockedReleases(courtId: String)
    case safetyCheck(address: String, coordinates: Coordinates?, radiusMeters: Int)
}

/// A question the source cannot answer as asked (an address it cannot read): a 400 naming the
/// parameter, never a value.
public struct ViewQueryError: Error, Sendable, Hashable {
    public var parameter: String
    public var reason: String

    public init(parameter: String, reason: String) {
        self.parameter = parameter
        self.reason = reason
    }
}

/// Where the gateway reads the read-model views: the rows of one query as JSON objects (the
/// read models' Codable rows, dates in RFC 3339), unredacted; the gateway redacts and pages them.
/// A seam so tests can hand it fixed rows; `StorageViewSource` reads the `views` service's and
/// the `warrant-resolver` service's databases through the read models' own queries.
public protocol ViewSource: Sendable {
    func rows(_ query: ViewQuery, asOf: Date) async throws -> [JSONValue]
}

/// The `views` database (read models, and the agency directory they keep) and the
/// `warrant-resolver` database, each opened when a request first needs it, read only through
/// the queries the CLI's `view` and `warrant-checks` commands use.
public struct StorageViewSource: ViewSource {
    let views: @Sendable () throws -> any StorageDatabase
    let warrants: @Sendable () throws -> any StorageDatabase

    public init(views: @escaping @Sendable () throws -> any StorageDatabase, warrants: @escaping @Sendable () throws -> any StorageDatabase) {
        self.views = views
        self.warrants = warrants
    }

    public func rows(_ query: ViewQuery, asOf: Date) async throws -> [JSONValue] {
        switch query {
        case .caseload(let agencyId, let officerId):
            let entries = try await views().read { transaction in
                if let officerId { return try CaseloadStore().caseload(officerId: officerId, asOf: asOf, in: transaction) }
                return try CaseloadStore().caseload(agencyId: agencyId, asOf: asOf, in: transaction)
            }
            // An officer id is the agency's: another agency's officer of the same id is not the caller's.
            return try Self.encode(entries.filter { $0.supervisingAgencyId == agencyId })
        case .policeReleases(let agencyId, let days):
            return try Self.encode(try await police(agencyId) { try PoliceViewStore().releases(into: $0, asOf: asOf, withinDays: days, in: $1) })
        case .policeWarrants(let agencyId):
            return try Self.encode(try await police(agencyId) { try PoliceViewStore().warrants(in: $0, asOf: asOf, in: $1) })
        case .policeSupervisees(let agencyId):
            return try Self.encode(try await police(agencyId) { try PoliceViewStore().supervisees(in: $0, asOf: asOf, in: $1) })
        case .policeBulletins(let agencyId):
            return try Self.encode(try await police(agencyId) { try PoliceViewStore().bulletins(for: agencyId, in: $0, asOf: asOf, in: $1) })
        case .releaseBoard(let facilityId, let days):
            return try Self.encode(try await views().read { try ReleaseBoardStore().board(facilityId: facilityId, asOf: asOf, withinDays: days, in: $0) })
        case .highNeeds(let agencyId, let days):
            return try Self.encode(try await views().read { transaction -> [HighNeedsRow] in
                let places = Set(try Self.places(of: agencyId, transaction))
                guard !places.isEmpty else { return [] }
                return try HighNeedsStore().highNeeds(asOf: asOf, withinDays: days, in: transaction).filter { row in
                    row.destination.map { places.contains(JurisdictionPlace(state: $0.state, city: $0.city)) } ?? false
                }
            })
        case .courtWarrants(let courtId):
            return try Self.encode(try await views().read { try CourtStore().warrants(courtId: courtId, asOf: asOf, in: $0) })
        case .courtBlockedReleases(let courtId):
            return try Self.encode(try await views().read { try CourtStore().blockedReleases(courtId: courtId, asOf: asOf, in: $0) })
        case .safetyCheck(let address, let coordinates, let radius):
            do {
                try SafetyStore.validate(address: .text(address), coordinates: coordinates, radiusMeters: radius)
            } catch {
                throw ViewQueryError(parameter: error.field, reason: error.reason)
            }
            let result = try await views().read {
                try SafetyStore().check(address: .text(address), coordinates: coordinates, radiusMeters: radius, asOf: asOf, in: $0)
            }
            return try Self.encode([result])
        case .warrantChecks(let agencyId):
            let checks = try await warrants().read { try WarrantResolverProjection.openChecks($0) }
            return try Self.encode(checks.filter { Self.concerns($0, agencyId: agencyId) }.map(OpenWarrantCheck.init))
        }
    }

    /// The places of the police agency's jurisdiction (the agency directory), then `query` over them.
    private func police<Row: Sendable>(
        _ agencyId: String, _ query: @escaping @Sendable ([JurisdictionPlace], any StorageTransaction) throws -> [Row]
    ) async throws -> [Row] {
        try await views().read { transaction in try query(try Self.places(of: agencyId, transaction), transaction) }
    }

    /// The places of the agency's jurisdiction in the agency directory; none when it has no entry.
    private static func places(of agencyId: String, _ transaction: any StorageTransaction) throws -> [JurisdictionPlace] {
        guard let entry = try DirectoryStore(transaction).entry(agencyId) else { return [] }
        return (entry.jurisdiction.places ?? []).map { JurisdictionPlace(state: entry.jurisdiction.state, city: $0) }
    }

    /// Whether an open check concerns `agencyId`: its releasing facility, the issuer of one of
    /// its warrants, the holder of one of its detainers, or a recipient it was told as.
    static func concerns(
        _ entry: (check: WarrantCheck, warrants: [Warrant], detainers: [Detainer], told: [(recipient: String, rule: String)]), agencyId: String
    ) -> Bool {
        if entry.check.facilityId == agencyId { return true }
        if entry.warrants.contains(where: { $0.issuingAgencyId == agencyId }) { return true }
        if entry.detainers.contains(where: { $0.holdingAgencyId == agencyId }) { return true }
        return entry.told.contains { told in
            guard let recipient = Recipient(told.recipient) else { return false }
            switch recipient.kind {
            case .agency, .facility, .duty: return recipient.id == agencyId
            case .role: return recipient.id.hasPrefix("\(agencyId)/")
            case .officer, .unit: return false
            }
        }
    }

    static func encode<Row: Encodable>(_ rows: [Row]) throws -> [JSONValue] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return try rows.map { try JSONValue(parsing: Array(try encoder.encode($0))) }
    }
}

