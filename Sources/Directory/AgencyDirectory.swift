import Contracts

/// The agency directory (`reference.agencies`) as a value: which agency serves a place, which
/// prosecutor serves a court. Built from directory entries, changed by the same events the
/// topic carries; no storage and no clock, so the services' rules can ask it directly
/// (`DirectoryStore` keeps the entries and loads the part a rule needs).
///
/// Retired agencies are not in it: they answer no lookup. When several agencies answer, the
/// answer is deterministic (see each lookup), so every replica and every replay agrees.
public struct AgencyDirectory: Sendable, Hashable {
    /// The active entries, by agency id.
    public private(set) var entries: [String: AgencyDescribed] = [:]
    /// Agency ids serving each state's place (`PlaceIndex`).
    private var places: [PlaceIndex: Set<String>] = [:]
    /// Prosecutor ids serving each court id.
    private var prosecutors: [String: Set<String>] = [:]

    public init(entries: [AgencyDescribed] = []) {
        for entry in entries { describe(entry) }
    }

    // MARK: Changes

    /// Adds an agency's entry or replaces its previous one (places it no longer lists no longer
    /// answer).
    public mutating func describe(_ entry: AgencyDescribed) {
        remove(entry.agencyId)
        entries[entry.agencyId] = entry
        for key in Self.placeIndexes(of: entry) { places[key, default: []].insert(entry.agencyId) }
        if entry.kind == .prosecutor {
            for court in entry.courts ?? [] { prosecutors[court, default: []].insert(entry.agencyId) }
        }
    }

    /// Removes a retired agency: it answers no lookup any more.
    public mutating func retire(_ agencyId: String) {
        remove(agencyId)
    }

    private mutating func remove(_ agencyId: String) {
        guard let old = entries.removeValue(forKey: agencyId) else { return }
        for key in Self.placeIndexes(of: old) {
            places[key]?.remove(agencyId)
            if places[key]?.isEmpty == true { places[key] = nil }
        }
        for court in old.courts ?? [] {
            prosecutors[court]?.remove(agencyId)
            if prosecutors[court]?.isEmpty == true { prosecutors[court] = nil }
        }
    }

    // MARK: Lookups

    /// An active agency's entry.
    public func agency(_ agencyId: String) -> AgencyDescribed? { entries[agencyId] }

    /// The police agency serving a place: an active `police` agency listing the place in that
    /// state, else a `sheriff` listing it (a sheriff patrolling a town by contract); of several,
    /// the smallest agency id. Nil when the directory has none: the caller decides the fallback.
    ///
    /// `place` is compared as a `PlaceKey` ("St. Louis" = "SAINT LOUIS" = "st louis"), `state`
    /// without regard to case.
    public func police(state: String, place: String) -> AgencyDescribed? {
        let ids = places[PlaceIndex(state: state, place: place)] ?? []
        for kind in [AgencyKind.police, .sheriff] {
            if let id = ids.filter({ entries[$0]?.kind == kind }).min() { return entries[id] }
        }
        return nil
    }

    /// The police agency serving the city of `address`.
    public func police(serving address: Address) -> AgencyDescribed? {
        police(state: address.state, place: address.city)
    }

    /// The prosecutor whose entry lists `courtId` among the courts it serves; of several, the
    /// smallest agency id. Nil when none does.
    public func prosecutor(servingCourt courtId: String) -> AgencyDescribed? {
        prosecutors[courtId]?.min().flatMap { entries[$0] }
    }

    // MARK: Index

    /// A place within a state, normalized.
    struct PlaceIndex: Hashable, Sendable {
        var state: String
        var place: PlaceKey

        init(state: String, place: String) {
            self.state = state.uppercased()
            self.place = PlaceKey(place)
        }
    }

    private static func placeIndexes(of entry: AgencyDescribed) -> [PlaceIndex] {
        (entry.jurisdiction.places ?? []).map { PlaceIndex(state: entry.jurisdiction.state, place: $0) }
    }
}
