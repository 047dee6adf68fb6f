import Contracts
import Foundation
import Notifications
import Placeholders
import Places

/// How the police-event rules tell that an event is about a supervisee, their home or their
/// household. Pure functions of the event and the case.
enum PoliceMatching {
    /// Whether `person`, named by an incident or investigation, is the supervisee of `supervision`:
    /// the same state ID, or (a person named without one: version 2 of a violent incident) the
    /// same FBI number, and no date of birth against it when both carry one (a number recorded
    /// against another birth date is a data error, not this person). Never by name: a person
    /// named by neither number matches nobody (linking by name and birth date is the person
    /// index's job, with review).
    static func isSupervisee(_ person: InvolvedPerson, of supervision: SupervisionCase) -> Bool {
        if let stateId = PersonNumberKey.nonEmpty(person.stateId) {
            guard stateId == supervision.stateId else { return false }
        } else {
            guard let fbiNumber = PersonNumberKey.nonEmpty(person.fbiNumber), fbiNumber == supervision.fbiNumber else { return false }
        }
        if let born = person.dateOfBirth, let caseBorn = supervision.subject?.dateOfBirth, born != caseBorn { return false }
        return true
    }


    /// The same subject's identifiers as an event and a case share, for `reason.matched`.
    static func matchedIdentifiers(_ subject: SubjectIdentifiers?, _ supervision: SupervisionCase) -> [MatchedIdentifier] {
        var matched: [MatchedIdentifier] = []
        if let stateId = subject?.stateId, stateId == supervision.stateId { matched.append(MatchedIdentifier("stateId", stateId)) }
        if let fbi = subject?.fbiNumber, fbi == supervision.fbiNumber { matched.append(MatchedIdentifier("fbiNumber", fbi)) }
        return matched
    }

    // MARK: The registered address

    /// Within this distance two coordinates are the same address (the officer-safety check's
    /// `sameAddressMeters`).
    static let sameAddressMeters = 15.0

    /// Whether the contact's `location` is `registered`, compared as the officer-safety check
    /// compares places: by normalised address (`AddressKey`, USPS Publication 28) when both
    /// have a readable one — the same building, ZIP codes not against each other, the same unit
    /// or a unit on one side only — else by coordinates within ``sameAddressMeters``.
    static func isRegisteredAddress(_ location: Location, _ registered: Address) -> Bool {
        if let address = location.address, let key = addressKey(address), let registeredKey = addressKey(registered) {
            guard key.withoutUnits.withoutPostalCode == registeredKey.withoutUnits.withoutPostalCode else { return false }
            if let zip = key.zip, let registeredZip = registeredKey.zip, zip != registeredZip { return false }
            return key.units.isEmpty || registeredKey.units.isEmpty || key.units == registeredKey.units
        }
        guard let here = point(placeCoordinates(location.address) ?? location.coordinates), let home = point(placeCoordinates(registered)) else {
            return false
        }
        return GeoDistance.isWithin(sameAddressMeters, metresOf: home, here)
    }

    /// The address's key; nil when `AddressKey` cannot read it (an unknown state, a line with
    /// no street name, a placeholder such as "UNKNOWN" or "HOMELESS" that names no place): such
    /// an address is compared by its coordinates only, as in the views.
    private static func addressKey(_ address: Address) -> AddressKey? {
        do {
            return try AddressKey(line1: address.line1, line2: address.line2, city: address.city, state: address.state, postalCode: address.postalCode)
        } catch {
            return nil  // unreadable: compared by coordinates (see above), as the views do
        }
    }

    /// The address's own coordinates, unless its line says there is no address ("HOMELESS"):
    /// a geocoder given such an address returns the centre of its city or ZIP code, where every
    /// other such address lies too. (A location's own coordinates, where police stood, stay.)
    static func placeCoordinates(_ address: Address?) -> Coordinates? {
        guard let address, !AddressPlaceholder.isPlaceholder(address.line1) else { return nil }
        return address.coordinates
    }

    /// Coordinates outside the globe (the contract forbids them) compare with nothing.
    private static func point(_ coordinates: Coordinates?) -> GeoPoint? {
        guard let coordinates else { return nil }
        do {
            return try GeoPoint(latitude: coordinates.latitude, longitude: coordinates.longitude)
        } catch {
            return nil
        }
    }

    // MARK: The household

    /// The listed household member the contacted person is: the same name key (the given
    /// name's first word and the family name, case, accents and punctuation folded, as the
    /// officer-safety check recognises residents). The case's household list carries no date of
    /// birth (`supervision.address.changed`), so none can be compared; a person contacted
    /// without a given name matches no one ("Reyes" alone names nobody in particular).
    static func householdMember(_ person: InvolvedPerson?, of supervision: SupervisionCase) -> HouseholdMember? {
        guard let key = nameKey(person?.name) else { return nil }
        return supervision.householdMembers.first { nameKey($0.name) == key }
    }

    /// `DARNELL REYES` for Darnell J. Reyes; nil without both a given and a family name.
    static func nameKey(_ name: PersonName?) -> String? {
        guard let name, let given = words(name.given ?? "").first else { return nil }
        let family = words(name.family)
        guard !family.isEmpty else { return nil }
        return ([given] + family).joined(separator: " ")
    }

    private static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).uppercased()
        return folded.split { !($0.isLetter || $0 == "'" || $0 == "\u{2019}") }
            .map { String($0.filter(\.isLetter)) }
            .filter { !$0.isEmpty }
    }
}
