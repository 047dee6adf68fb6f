import Foundation

/// `courts.warrant.issued` versions 1 and 2: A warrant was issued for the subject. Version 2 is the same payload with a subject that may lack the state ID.
public struct WarrantIssued: EventPayload {
    public static let eventType = "courts.warrant.issued"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var warrantId: String
    public var warrantKind: WarrantKind
    public var issuedOn: CalendarDate
    public var issuingAgencyId: String
    public var caseNumber: String?
    public var charges: [Charge]?
    /// In US dollars.
    public var bondAmount: Double?
    public var extraditable: Bool?

    public init(warrantId: String, warrantKind: WarrantKind, issuedOn: CalendarDate, issuingAgencyId: String, caseNumber: String? = nil, charges: [Charge]? = nil, bondAmount: Double? = nil, extraditable: Bool? = nil) {
        self.warrantId = warrantId
        self.warrantKind = warrantKind
        self.issuedOn = issuedOn
        self.issuingAgencyId = issuingAgencyId
        self.caseNumber = caseNumber
        self.charges = charges
        self.bondAmount = bondAmount
        self.extraditable = extraditable
    }
}

/// `courts.warrant.served` versions 1 and 2: The warrant was served. Version 2 is the same payload with a subject that may lack the state ID.
public struct WarrantServed: EventPayload {
    public static let eventType = "courts.warrant.served"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var warrantId: String
    public var servedAt: Date
    public var servingAgencyId: String

    public init(warrantId: String, servedAt: Date, servingAgencyId: String) {
        self.warrantId = warrantId
        self.servedAt = servedAt
        self.servingAgencyId = servingAgencyId
    }
}

/// `courts.warrant.recalled` versions 1 and 2: The issuing court withdrew the warrant. Version 2 is the same payload with a subject that may lack the state ID.
public struct WarrantRecalled: EventPayload {
    public static let eventType = "courts.warrant.recalled"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var warrantId: String
    public var recalledOn: CalendarDate
    public var reason: String

    public init(warrantId: String, recalledOn: CalendarDate, reason: String) {
        self.warrantId = warrantId
        self.recalledOn = recalledOn
        self.reason = reason
    }
}

/// `courts.warrant.quashed` versions 1 and 2: The warrant was set aside as invalid. Version 2 is the same payload with a subject that may lack the state ID.
public struct WarrantQuashed: EventPayload {
    public static let eventType = "courts.warrant.quashed"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var warrantId: String
    public var quashedOn: CalendarDate
    public var reason: String

    public init(warrantId: String, quashedOn: CalendarDate, reason: String) {
        self.warrantId = warrantId
        self.quashedOn = quashedOn
        self.reason = reason
    }
}

/// `courts.detainer.lodged` versions 1 and 2: An agency asked the holding facility to keep the person. Version 2 is the same payload with a subject that may lack the state ID.
public struct DetainerLodged: EventPayload {
    public static let eventType = "courts.detainer.lodged"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var detainerId: String
    public var detainerKind: DetainerKind
    public var requestingAgencyId: String
    public var lodgedOn: CalendarDate
    public var facility: Facility?
    public var warrantId: String?

    public init(detainerId: String, detainerKind: DetainerKind, requestingAgencyId: String, lodgedOn: CalendarDate, facility: Facility? = nil, warrantId: String? = nil) {
        self.detainerId = detainerId
        self.detainerKind = detainerKind
        self.requestingAgencyId = requestingAgencyId
        self.lodgedOn = lodgedOn
        self.facility = facility
        self.warrantId = warrantId
    }
}

/// `courts.detainer.lifted` versions 1 and 2: The hold request was withdrawn. Version 2 is the same payload with a subject that may lack the state ID.
public struct DetainerLifted: EventPayload {
    public static let eventType = "courts.detainer.lifted"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var detainerId: String
    public var liftedOn: CalendarDate
    public var reason: String?

    public init(detainerId: String, liftedOn: CalendarDate, reason: String? = nil) {
        self.detainerId = detainerId
        self.liftedOn = liftedOn
        self.reason = reason
    }
}
