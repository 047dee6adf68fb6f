import Contracts
import ServiceKit
import Storage

/// The police view (`police-view`), asked for one agency's jurisdiction as a list of places
/// (`JurisdictionPlace`, which the caller takes from the agency directory):
///
/// - ``releases(into:asOf:withinDays:in:)``: people releasing into it soon (the Kansas City
///   pre-release list of the brief), with facility, supervision status and latest risk level;
/// - ``warrants(in:asOf:in:)``: active warrants of people whose registered address is there;
/// - ``supervisees(in:asOf:in:)``: people under supervision living there, with the conditions
///   police enforce (``conditionsPoliceNeed``);
/// - ``bulletins(for:in:asOf:in:)``: mental-health bulletins of people living there whose consent
///   is in force and whose scope includes the asking agency (`BulletinConsentScope`, the router's
///   rule; a bulletin whose scope can include no police is refused on arrival).
///
/// "Living there" is the registered address from `supervision.cases`: the address that took
/// effect last by the moment asked about, over all the person's cases (a case that ended keeps
/// the last known address). Facts are kept per release, case, warrant, assessment and
/// bulletin and joined when asked, so the order in which the topics are read does not matter.
public struct PoliceViewStore: ReadModelStore {
    public static let releasesTopic = "custody.releases"
    public static let casesTopic = "supervision.cases"
    public static let assessmentsTopic = "supervision.assessments"
    public static let bulletinsTopic = "supervision.mental-health-bulletins"
    public static let warrantsTopic = "courts.warrants"

    /// The supervision conditions the police view shows: those an officer on patrol can see
    /// broken or must know at a door.
    public static let conditionsPoliceNeed: Set<ConditionKind> = [.noContact, .curfew, .electronicMonitoring, .exclusionZone, .noWeapons]

    public let name = "police-view"
    public let topics = [Self.releasesTopic, Self.casesTopic, Self.assessmentsTopic, Self.bulletinsTopic, Self.warrantsTopic]

    let releaseLedger = ReleaseLedger.views
    let caseLedger = CaseLedger(prefix: "police")
    let assessmentLedger = AssessmentLedger(prefix: "police", keepsNeeds: false)
    let bulletinLedger = BulletinLedger(prefix: "police")
    let warrantLedger = WarrantLedger.views.warrantsOnly

    public init() {}

    /// Every table of the view, for sealing and tests.
    public var tables: [String] {
        releaseLedger.tables + caseLedger.tables + assessmentLedger.tables + bulletinLedger.tables + warrantLedger.tables
    }

    public var migrations: [StorageMigration] {
        [
            .script(
                "police-v1",
                [ReleaseLedger(prefix: "police").schema, caseLedger.schema, assessmentLedger.schema, bulletinLedger.schema,
                 WarrantLedger(prefix: "police", keepsDetainers: false).schema].joined(separator: ";\n")),
            .script("police-v2", [assessmentLedger.numbersStep, caseLedger.numbersStep].joined(separator: ";\n")),
            .script("police-v3", [caseLedger.placesStep, bulletinLedger.numbersStep].joined(separator: ";\n")),
            ReleaseLedger.sharedStep,
            ReleaseLedger.movedStep(from: ReleaseLedger(prefix: "police"), id: "police-v4"),
            WarrantLedger.sharedStep,
            WarrantLedger.movedStep(from: WarrantLedger(prefix: "police", keepsDetainers: false), id: "police-v5"),
        ]
    }

    public func handles(eventType: String) -> Bool {
        releaseLedger.handles(eventType: eventType) || CaseLedger.types.contains(eventType)
            || eventType == AssessmentCompleted.eventType || BulletinLedger.types.contains(eventType)
            || warrantLedger.handles(eventType: eventType)
    }

    public func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws {
        let type = event.eventType
        if releaseLedger.handles(eventType: type) {
            try releaseLedger.apply(event, in: transaction)
        } else if CaseLedger.types.contains(type) {
            try caseLedger.apply(event, in: transaction)
        } else if type == AssessmentCompleted.eventType {
            try assessmentLedger.apply(event, in: transaction)
        } else if BulletinLedger.types.contains(type) {
            try bulletinLedger.apply(event, in: transaction)
        } else if warrantLedger.handles(eventType: type) {
            try warrantLedger.apply(event, in: transaction)
        }
    }
}
