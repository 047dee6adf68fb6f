/// Building blocks shared by many events, mirroring the `$defs` of `Topics/common.yaml`.

/// A person's name as agencies record it; only the family name is required.
public struct PersonName: Codable, Sendable, Hashable {
    public var given: String?
    public var middle: String?
    public var family: String
    public var suffix: String?

    public init(given: String? = nil, middle: String? = nil, family: String, suffix: String? = nil) {
        self.given = given
        self.middle = middle
        self.family = family
        self.suffix = suffix
    }
}

/// The agency (and optionally its system) that produced an event.
public struct SourceAgency: Codable, Sendable, Hashable {
    /// E.g. `MO-KCPD`: state code, dash, the agency's short code.
    public var agencyId: String
    public var agencyKind: AgencyKind
    public var system: String?

    public init(agencyId: String, agencyKind: AgencyKind, system: String? = nil) {
        self.agencyId = agencyId
        self.agencyKind = agencyKind
        self.system = system
    }
}

/// Identifiers of the person an event is about. Agencies know different numbers; the person
/// index links them. At least one number is present; topics keyed by person need `stateId`.
public struct SubjectIdentifiers: Codable, Sendable, Hashable {
    public var stateId: String?
    public var fbiNumber: String?
    public var docNumber: String?
    public var bookingNumber: String?
    public var rmsNumber: String?
    public var name: PersonName?
    public var dateOfBirth: CalendarDate?
    public var aliases: [PersonName]?

    public init(
        stateId: String? = nil, fbiNumber: String? = nil, docNumber: String? = nil, bookingNumber: String? = nil,
        rmsNumber: String? = nil, name: PersonName? = nil, dateOfBirth: CalendarDate? = nil, aliases: [PersonName]? = nil
    ) {
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.docNumber = docNumber
        self.bookingNumber = bookingNumber
        self.rmsNumber = rmsNumber
        self.name = name
        self.dateOfBirth = dateOfBirth
        self.aliases = aliases
    }
}

/// WGS 84 degrees.
public struct Coordinates: Codable, Sendable, Hashable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// A postal address in the United States, with coordinates when the sender geocoded it.
public struct Address: Codable, Sendable, Hashable {
    public var line1: String
    public var line2: String?
    public var city: String
    /// Two-letter state code.
    public var state: String
    public var postalCode: String?
    public var coordinates: Coordinates?

    public init(line1: String, line2: String? = nil, city: String, state: String, postalCode: String? = nil, coordinates: Coordinates? = nil) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.coordinates = coordinates
    }
}

/// Where something happened: an address, coordinates, a description, or several of these.
public struct Location: Codable, Sendable, Hashable {
    public var address: Address?
    public var coordinates: Coordinates?
    public var description: String?

    public init(address: Address? = nil, coordinates: Coordinates? = nil, description: String? = nil) {
        self.address = address
        self.coordinates = coordinates
        self.description = description
    }
}

public struct Facility: Codable, Sendable, Hashable {
    public var facilityId: String
    public var name: String
    public var kind: FacilityKind

    public init(facilityId: String, name: String, kind: FacilityKind) {
        self.facilityId = facilityId
        self.name = name
        self.kind = kind
    }
}

/// An officer to contact about a person or case.
public struct Officer: Codable, Sendable, Hashable {
    public var officerId: String
    public var name: String
    public var phone: String?
    public var email: String?

    public init(officerId: String, name: String, phone: String? = nil, email: String? = nil) {
        self.officerId = officerId
        self.name = name
        self.phone = phone
        self.email = email
    }
}

/// A person involved in an incident or investigation, identified as far as known.
public struct InvolvedPerson: Codable, Sendable, Hashable {
    public var stateId: String?
    /// Only in version 2 of `police.violent-incident.reported`, `police.investigation.opened`
    /// and `police.investigation.updated` (`numberedInvolvedPerson`): a contact's person refuses
    /// it, so leave it nil there.
    public var fbiNumber: String?
    public var name: PersonName?
    public var dateOfBirth: CalendarDate?
    public var underSupervision: Bool?

    public init(
        stateId: String? = nil, fbiNumber: String? = nil, name: PersonName? = nil, dateOfBirth: CalendarDate? = nil,
        underSupervision: Bool? = nil
    ) {
        self.stateId = stateId
        self.fbiNumber = fbiNumber
        self.name = name
        self.dateOfBirth = dateOfBirth
        self.underSupervision = underSupervision
    }
}

/// A payload that names people in its body (`involvedPerson`), with a later version whose people
/// may be named by the FBI number (`numberedInvolvedPerson`): it reads both and writes the later
/// only when someone is named so, so consumers not yet reading it keep receiving the rest.
public protocol NamesInvolvedPeople: EventPayload {
    /// The version whose people may carry an FBI number.
    static var numberedPeopleVersion: Int { get }
    /// Everyone the payload names.
    var involvedPeople: [InvolvedPerson] { get }
}

extension NamesInvolvedPeople {
    public static var readVersions: [Int] { [schemaVersion, numberedPeopleVersion] }

    public func writtenVersion(about subject: SubjectIdentifiers?) -> Int {
        involvedPeople.contains { !($0.fbiNumber ?? "").isEmpty } ? Self.numberedPeopleVersion : Self.schemaVersion
    }
}

public struct Charge: Codable, Sendable, Hashable {
    /// Statute or local charge code.
    public var code: String
    public var description: String
    public var level: OffenseLevel

    public init(code: String, description: String, level: OffenseLevel) {
        self.code = code
        self.description = description
        self.level = level
    }
}
