import Contracts
import Directory

/// Which counties a place lies in, and which places a county has, as far as the agency
/// directory says: a release's destination names a city, a county subscription a county, and
/// only the directory's entries relate the two — an agency listing a place *and* counties
/// serves that place within those counties.
///
/// Limits (what the data cannot say): an entry listing several places and several counties does
/// not say which place is in which county, so each of its places counts as in each of its
/// counties (Kansas City, listed by its police with Jackson, Clay, Platte and Cass, is in all
/// four — true of Kansas City, but an agency serving two towns in two counties would put each in
/// both); a place no active entry lists with counties is in no county (a county subscription
/// does not see releases there); and the answer is the directory's when the release or the
/// subscription is read (an entry read later does not re-route).
enum PlaceCounties {
    /// The counties of the city of `address` (compared as `PlaceKey`s, each once, sorted):
    /// those of every active entry of its state listing the city.
    static func counties(of address: Address, in directory: DirectoryStore) throws -> [String] {
        let entries = try directory.directory(forPlace: address.city, in: address.state).entries.values
        return unique(entries.flatMap { $0.jurisdiction.counties ?? [] })
    }

    /// The places of `county` in `state`: those of every active entry of the state listing the county.
    static func places(of county: String, state: String, in directory: DirectoryStore) throws -> [String] {
        let key = PlaceKey(county)
        let entries = try directory.all().entries.values.filter { entry in
            entry.jurisdiction.state.uppercased() == state.uppercased() && (entry.jurisdiction.counties ?? []).contains { PlaceKey($0) == key }
        }
        return unique(entries.flatMap { $0.jurisdiction.places ?? [] })
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen: Set<PlaceKey> = []
        return names.sorted().filter { seen.insert(PlaceKey($0)).inserted }
    }
}
