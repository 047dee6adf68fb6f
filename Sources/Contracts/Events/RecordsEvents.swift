import Foundation

/// Which records a sealing or expungement order covers.
public enum RecordOrderScope: String, Codable, Sendable, Hashable, CaseIterable {
    case allRecords = "all_records"
    case listedCases = "listed_cases"
}

/// `records.record.sealed` versions 1 and 2: A court ordered records sealed. Version 2 is the
/// same payload with a subject named by the FBI number when the state ID is not known.
public struct RecordSealed: EventPayload {
    public static let eventType = "records.record.sealed"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var orderId: String
    public var orderedOn: CalendarDate
    public var issuingCourtId: String
    public var scope: RecordOrderScope
    /// Present when scope is listedCases.
    public var caseNumbers: [String]?

    public init(orderId: String, orderedOn: CalendarDate, issuingCourtId: String, scope: RecordOrderScope, caseNumbers: [String]? = nil) {
        self.orderId = orderId
        self.orderedOn = orderedOn
        self.issuingCourtId = issuingCourtId
        self.scope = scope
        self.caseNumbers = caseNumbers
    }
}

/// `records.record.expunged` versions 1 and 2: A court ordered records destroyed. Version 2 is
/// the same payload with a subject named by the FBI number when the state ID is not known.
public struct RecordExpunged: EventPayload {
    public static let eventType = "records.record.expunged"
    public static let schemaVersion = 1
    public static let stateIdOptionalVersion: Int? = 2

    public var orderId: String
    public var orderedOn: CalendarDate
    public var issuingCourtId: String
    public var scope: RecordOrderScope
    /// Present when scope is listedCases.
    public var caseNumbers: [String]?

    public init(orderId: String, orderedOn: CalendarDate, issuingCourtId: String, scope: RecordOrderScope, caseNumbers: [String]? = nil) {
        self.orderId = orderId
        self.orderedOn = orderedOn
        self.issuingCourtId = issuingCourtId
        self.scope = scope
        self.caseNumbers = caseNumbers
    }
}
