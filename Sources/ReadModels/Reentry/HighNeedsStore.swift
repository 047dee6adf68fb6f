import Contracts
import ServiceKit
import Storage

/// Reentry services' high-needs list (`high-needs`): people releasing soon who need
/// high-intensity services, and why (brief, public safety strategy 4). See
/// ``highNeeds(asOf:withinDays:in:)``.
///
/// Facts are kept per release, assessment and incident and joined when asked, so the order in
/// which the topics are read does not matter. Assessment needs (health information) are kept
/// here: they are what reentry services act on.
public struct HighNeedsStore: ReadModelStore {
    public static let releasesTopic = "custody.releases"
    public static let assessmentsTopic = "supervision.assessments"
    public static let incidentsTopic = "police.incidents"

    /// How far back a violent incident counts, in calendar months before the moment asked about.
    public static let incidentMonths = 12
    /// The risk and need levels that call for high-intensity services.
    public static let highLevels: Set<RiskLevel> = [.high, .veryHigh]

    public let name = "high-needs"
    public let topics = [Self.releasesTopic, Self.assessmentsTopic, Self.incidentsTopic]

    let releaseLedger = ReleaseLedger.views
    let assessmentLedger = AssessmentLedger(prefix: "reentry", keepsNeeds: true)
    let incidentLedger = IncidentLedger(prefix: "reentry")

    public init() {}

    /// Every table of the view, for sealing and tests.
    public var tables: [String] { releaseLedger.tables + assessmentLedger.tables + incidentLedger.tables }

    public var migrations: [StorageMigration] {
        [
            .script(
                "reentry-v1", [ReleaseLedger(prefix: "reentry").schema, assessmentLedger.schema, incidentLedger.schema].joined(separator: ";\n")),
            .script("reentry-v2", [assessmentLedger.numbersStep, incidentLedger.numbersStep].joined(separator: ";\n")),
            ReleaseLedger.sharedStep,
            ReleaseLedger.movedStep(from: ReleaseLedger(prefix: "reentry"), id: "reentry-v3"),
        ]
    }

    public func handles(eventType: String) -> Bool {
        releaseLedger.handles(eventType: eventType) || eventType == AssessmentCompleted.eventType
            || eventType == ViolentIncidentReported.eventType
    }

    public func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let type = event.eventType
        if releaseLedger.handles(eventType: type) {
            try releaseLedger.apply(event, in: transaction)
        } else if type == AssessmentCompleted.eventType {
            try assessmentLedger.apply(event, in: transaction)
        } else if type == ViolentIncidentReported.eventType {
            try incidentLedger.apply(event, in: transaction)
        }
    }
}
