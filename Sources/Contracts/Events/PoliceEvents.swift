import Foundation

/// The circle an investigation covers.
public struct InvestigationArea: Codable, Sendable, Hashable {
    public var center: Coordinates
    public var radiusMeters: Int

    public init(center: Coordinates, radiusMeters: Int) {
        self.center = center
        self.radiusMeters = radiusMeters
    }
}

/// `police.arrest.made` versions 1 and 2: A person was taken into custody by a law enforcement
/// officer. Version 2 is the same payload with a subject that may lack the state ID.
public struct ArrestMade: EventPayload {
    public static let eventType = "police.arrest.made"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var arrestId: String
    public var arrestedAt: Date
    public var arrestingAgencyId: String
    public var location: Location
    public var charges: [Charge]
    public var reportNumber: String?

    public init(arrestId: String, arrestedAt: Date, arrestingAgencyId: String, location: Location, charges: [Charge], reportNumber: String? = nil) {
        self.arrestId = arrestId
        self.arrestedAt = arrestedAt
        self.arrestingAgencyId = arrestingAgencyId
        self.location = location
        self.charges = charges
        self.reportNumber = reportNumber
    }
}

/// `police.booking.recorded` versions 1 and 2: A jail booked a person into custody. Version 2
/// is the same payload with a subject that may lack the state ID.
public struct BookingRecorded: EventPayload {
    public static let eventType = "police.booking.recorded"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var bookingNumber: String
    public var facility: Facility
    public var bookedAt: Date
    public var arrestId: String?
    public var charges: [Charge]

    public init(bookingNumber: String, facility: Facility, bookedAt: Date, arrestId: String? = nil, charges: [Charge]) {
        self.bookingNumber = bookingNumber
        self.facility = facility
        self.bookedAt = bookedAt
        self.arrestId = arrestId
        self.charges = charges
    }
}

/// `police.contact.recorded` versions 1 and 2: An officer met the subject, or someone in the
/// subject's household. Version 2 is the same payload with a subject that may lack the state ID.
public struct ContactRecorded: EventPayload {
    public static let eventType = "police.contact.recorded"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var contactId: String
    public var contactedAt: Date
    public var contactKind: ContactKind
    public var relationToSubject: RelationToSubject
    /// Who was met, when not the subject themself.
    public var personContacted: InvolvedPerson?
    public var location: Location
    /// Whether the contact was at the subject's address of record.
    public var atSubjectResidence: Bool
    public var summary: String?
    public var officer: Officer?
    public var reportNumber: String?

    public init(contactId: String, contactedAt: Date, contactKind: ContactKind, relationToSubject: RelationToSubject, personContacted: InvolvedPerson? = nil, location: Location, atSubjectResidence: Bool, summary: String? = nil, officer: Officer? = nil, reportNumber: String? = nil) {
        self.contactId = contactId
        self.contactedAt = contactedAt
        self.contactKind = contactKind
        self.relationToSubject = relationToSubject
        self.personContacted = personContacted
        self.location = location
        self.atSubjectResidence = atSubjectResidence
        self.summary = summary
        self.officer = officer
        self.reportNumber = reportNumber
    }
}

/// `police.violent-incident.reported` versions 1 and 2: A violent incident, with the people involved as victims or suspects.
public struct ViolentIncidentReported: NamesInvolvedPeople {
    public static let eventType = "police.violent-incident.reported"
    public static let schemaVersion = 1
    /// Version 2: a victim or suspect may be named by the FBI number (`numberedInvolvedPerson`).
    public static let numberedPeopleVersion = 2
    public var involvedPeople: [InvolvedPerson] { (victims ?? []) + (suspects ?? []) }

    public var incidentId: String
    public var incidentKind: ViolentIncidentKind
    public var incidentAt: Date
    public var location: Location
    public var victims: [InvolvedPerson]?
    public var suspects: [InvolvedPerson]?
    public var reportNumber: String?

    public init(incidentId: String, incidentKind: ViolentIncidentKind, incidentAt: Date, location: Location, victims: [InvolvedPerson]? = nil, suspects: [InvolvedPerson]? = nil, reportNumber: String? = nil) {
        self.incidentId = incidentId
        self.incidentKind = incidentKind
        self.incidentAt = incidentAt
        self.location = location
        self.victims = victims
        self.suspects = suspects
        self.reportNumber = reportNumber
    }
}

/// `police.investigation.opened` versions 1 and 2: An investigation naming persons of interest or covering an area (criminal intelligence, 28 CFR Part 23).
public struct InvestigationOpened: NamesInvolvedPeople {
    public static let eventType = "police.investigation.opened"
    public static let schemaVersion = 1
    /// Version 2: a person of interest may be named by the FBI number (`numberedInvolvedPerson`).
    public static let numberedPeopleVersion = 2
    public var involvedPeople: [InvolvedPerson] { personsOfInterest }

    public var investigationId: String
    public var leadAgencyId: String
    public var sensitivity: InvestigationSensitivity
    public var summary: String?
    public var personsOfInterest: [InvolvedPerson]
    public var area: InvestigationArea?
    public var contact: Officer?

    public init(investigationId: String, leadAgencyId: String, sensitivity: InvestigationSensitivity, summary: String? = nil, personsOfInterest: [InvolvedPerson], area: InvestigationArea? = nil, contact: Officer? = nil) {
        self.investigationId = investigationId
        self.leadAgencyId = leadAgencyId
        self.sensitivity = sensitivity
        self.summary = summary
        self.personsOfInterest = personsOfInterest
        self.area = area
        self.contact = contact
    }
}

/// `police.investigation.updated` versions 1 and 2: Changed details of an open investigation; only changed fields are present.
public struct InvestigationUpdated: NamesInvolvedPeople {
    public static let eventType = "police.investigation.updated"
    public static let schemaVersion = 1
    /// Version 2: a person of interest may be named by the FBI number (`numberedInvolvedPerson`).
    public static let numberedPeopleVersion = 2
    public var involvedPeople: [InvolvedPerson] { personsOfInterest ?? [] }

    public var investigationId: String
    public var sensitivity: InvestigationSensitivity?
    public var summary: String?
    public var personsOfInterest: [InvolvedPerson]?
    public var area: InvestigationArea?

    public init(investigationId: String, sensitivity: InvestigationSensitivity? = nil, summary: String? = nil, personsOfInterest: [InvolvedPerson]? = nil, area: InvestigationArea? = nil) {
        self.investigationId = investigationId
        self.sensitivity = sensitivity
        self.summary = summary
        self.personsOfInterest = personsOfInterest
        self.area = area
    }
}

/// `police.investigation.closed` version 1: The investigation is closed; receivers purge what they hold about it.
public struct InvestigationClosed: EventPayload {
    public static let eventType = "police.investigation.closed"
    public static let schemaVersion = 1

    public var investigationId: String

    public init(investigationId: String) {
        self.investigationId = investigationId
    }
}
