import Contracts
import Directory
import Foundation
import Notifications
import PersonIndexStore
import ServiceKit
import Storage
import Subscriptions
import Timers

/// The release rule family: release notice (every event of `custody.releases`) and the
/// pre-release practice of Kansas City (60 days ahead, from `bus.timers`).
///
/// - `supervisee-release`: every release event (scheduled, changed, cancelled, completed) of a
///   person with a supervision case covering the day of the release or of the event → the
///   supervising officer (the agency without one), routed for the case. Without any case held
///   here, the agency the release names as supervising (`supervisingAgencyId`) is told.
/// - `release-into-jurisdiction`: every release event whose destination (the event's, else the
///   release's last known) is a place the agency directory gives a police agency → that agency.
/// - `short-notice-release`: a release completed with no schedule read before, or scheduled (or
///   moved) less than 72 hours before its expected time by the event's own times → URGENT to the
///   destination's police agency and each supervising agency, warrant or not (the warrant
///   resolver alerts separately about warrants).
/// - `subscription-release`: explicit subscriptions (`bus.subscriptions`) with kind `releases`
///   following the person, the destination's place or a county the directory puts it in
///   (`PlaceCounties`), active at the event's time → the same notice, URGENT when short notice;
///   a subscription read after the event sends it then, with the same id.
/// - `high-risk-release-60-days`: a scheduled release whose person's latest assessment
///   (`supervision.assessments`; one whose subject named no state ID counts once the person
///   index links its record to the release's subject, or when it shares the release's FBI
///   number or agency number: `latestAssessment(for:)`) is high or very high risk → the destination's police agency,
///   the supervising officer and the reentry-services agency serving the destination; on the
///   first tick at or after expected − 60 days (at once when scheduled less than 60 days
///   ahead), once per expected date (scope `release@expected`: a moved date notifies again).
/// - `high-needs-release`: the same window, and a need scored high on the latest assessment or
///   an involvement in a violent incident (`police.incidents`) in the 12 months before the tick
///   → the reentry-services agency serving the destination, once per release and date.
///
/// Order: release events of a person are read in order (one partition). Cases, assessments,
/// incidents and subscriptions are other topics: release events are kept, so a case read later
/// still sends `supervisee-release` and the supervising agency's `short-notice-release`; a
/// person subscription read later sends `subscription-release` for events at which it was
/// active, and so does a place or county subscription for events into its place; an
/// assessment, incident or case read later evaluates the person's releases whose
/// window is open. "Now" is the latest tick read, or the event's own time when later (no tick
/// yet), and no later than the release's expected time. A directory entry read after a notice
/// went to a place's fallback address does not send it again (`PlaceAgencies`).
struct ReleaseRules: RouterRuleSet {
    static let superviseeRelease = "supervisee-release"
    static let releaseIntoJurisdiction = "release-into-jurisdiction"
    static let shortNoticeRelease = "short-notice-release"
    static let subscriptionRelease = "subscription-release"
    static let highRiskRelease60Days = "high-risk-release-60-days"
    static let highNeedsRelease = "high-needs-release"
    /// The retraction of a pre-release notice that used an assessment found through a link the
    /// index has since undone.
    static let preReleaseRetracted = "pre-release-notice-retracted"

    static let releasesTopic = "custody.releases"
    static let assessmentsTopic = "supervision.assessments"
    static let incidentsTopic = "police.incidents"
    /// The retentions of `custody.releases` and `supervision.assessments` in their contracts.
    static let defaultReleaseRetention = RetentionWindow.days(365)
    static let defaultAssessmentRetention = RetentionWindow.days(1095)

    var releaseRetention = Self.defaultReleaseRetention
    var assessmentRetention = Self.defaultAssessmentRetention

    var topics: [String] { [Self.releasesTopic, Self.assessmentsTopic, Self.incidentsTopic, DirectoryStore.topic, TimerTick.topic] }
    /// Assessments and incidents are keyed and partitioned otherwise than the cases; the
    /// directory and the clock concern everyone.
    var referenceTopics: [String] { [Self.assessmentsTopic, Self.incidentsTopic, DirectoryStore.topic, TimerTick.topic] }
    var migrations: [StorageMigration] { DirectoryStore.migrations + ReleaseStore.migrations }

    func handles(eventType: String) -> Bool {
        ReleaseEvents.eventTypes.contains(eventType) || DirectoryStore.handles(eventType: eventType)
            || [AssessmentCompleted.eventType, ViolentIncidentReported.eventType, TimerTick.eventType, CaseStarted.eventType, OfficerAssigned.eventType,
                SubscriptionRecorded.eventType].contains(eventType)
    }

    func apply(_ event: AdmittedEvent, in context: RouterContext) throws {
        let store = ReleaseStore(context.storage)
        switch event.eventType {
        case let type where ReleaseEvents.eventTypes.contains(type):
            try releaseEvent(event, store, context)
        case let type where DirectoryStore.handles(eventType: type):
            try DirectoryStore(context.storage).apply(event)
        case AssessmentCompleted.eventType:
            let assessment = try event.decode(AssessmentCompleted.self)
            guard let stateId = assessment.subject?.stateId, !stateId.isEmpty else {
                return try keepLinkedAssessment(event, assessment, store, context)
            }
            try store.keepAssessment(assessment, stateId: stateId, forgetAfterMilliseconds: assessmentRetention.forgetAfter(event.timestampMilliseconds))
            try evaluateDue(of: assessment.subject, occurredAt: assessment.occurredAt, store, context)
        case ViolentIncidentReported.eventType:
            let envelope = try event.decode(ViolentIncidentReported.self)
            let incident = envelope.payload
            let ledger = SealingLedger(context.storage)
            var people: [SubjectIdentifiers] = []
            for (role, involved) in [("victim", incident.victims ?? []), ("suspect", incident.suspects ?? [])] {
                // Named by state ID, or (version 2) by FBI number instead; by neither: no one to match.
                for person in involved where SuperviseeIncident.personKey(person) != nil {
                    // An incident names people in its payload only: the runtime cannot tell that a
                    // sealing order covers one of them; a record from before the order is not kept.
                    if try ledger.covers(
                        stateId: person.stateId, fbiNumber: person.fbiNumber,
                        occurredAtMilliseconds: ReleaseClock.milliseconds(envelope.occurredAt)) {
                        continue
                    }
                    try store.keepInvolvement(incidentId: incident.incidentId, person: person, role: role, kind: incident.incidentKind.rawValue, at: incident.incidentAt)
                    let numbers = SubjectIdentifiers(stateId: person.stateId, fbiNumber: person.fbiNumber)
                    if !people.contains(numbers) { people.append(numbers) }
                }
            }
            for person in people {
                try evaluateDue(of: person, occurredAt: incident.incidentAt, store, context)
            }
        case TimerTick.eventType:
            let tick = try TimerTick.decode(event)
            let last = try store.lastTick()
            guard last.map({ tick.atMilliseconds > $0 }) ?? true else { return }  // an old or repeated tick
            try store.recordTick(tick.atMilliseconds)
            for release in try store.releasesComingDue(after: last, until: tick.atMilliseconds) {
                try Self.preRelease(release, now: tick.atMilliseconds, store, context)
            }
        case OfficerAssigned.eventType:
            // A new officer takes over the releases of the handover window before: the kept notices again.
            let assigned = try event.decode(OfficerAssigned.self)
            guard let supervision = try context.cases.supervisionCase(id: assigned.payload.caseId) else { return }
            let cases = try context.cases.cases(matching: supervision.subject)
            for (notice, forgetAfter) in try store.notices(of: supervision.subject, nowMilliseconds: event.timestampMilliseconds) {
                try context.send(Self.caseNotifications(notice, cases: cases), forgetAfterMilliseconds: forgetAfter)
            }
            try evaluateDue(of: supervision.subject, occurredAt: assigned.occurredAt, store, context)
        case CaseStarted.eventType:
            let started = try event.decode(CaseStarted.self)
            let cases = try context.cases.cases(matching: started.subject)
            for (notice, forgetAfter) in try store.notices(of: started.subject, nowMilliseconds: event.timestampMilliseconds) {
                try context.send(Self.caseNotifications(notice, cases: cases), forgetAfterMilliseconds: forgetAfter)
            }
            try evaluateDue(of: started.subject, occurredAt: started.occurredAt, store, context)
        case SubscriptionRecorded.eventType:
            try subscriptionRecorded(event, store, context)
        default:
            return
        }
    }

    // MARK: Release events

    private func releaseEvent(_ event: AdmittedEvent, _ store: ReleaseStore, _ context: RouterContext) throws {
        let previous = try store.release(try Self.releaseId(of: event))
        let (release, notice) = try ReleaseEvents.apply(event, to: previous)
        let forgetAfter = releaseRetention.forgetAfter(event.timestampMilliseconds)
        try store.save(release, forgetAfterMilliseconds: forgetAfter)
        try store.keep(notice, forgetAfterMilliseconds: forgetAfter)
        let cases = try context.cases.cases(matching: notice.subject)
        var notifications = Self.caseNotifications(notice, cases: cases)
        if let destination = notice.destination {
            let places = try PlaceAgencies(for: destination, in: DirectoryStore(context.storage))
            notifications += Self.placeNotifications(notice, police: places.police(serving: destination), destination: destination)
        }
        notifications += Self.subscriberNotifications(notice, subscriptions: try subscriptions(following: notice, context))
        try context.sendCountingMisses(notifications, forgetAfterMilliseconds: forgetAfter)
        try noteSubjectRecord(of: event, release: release, occurredAt: notice.occurredAt, forgetAfter: forgetAfter, store, context)
        let now = max(try store.lastTick() ?? Int64.min, ReleaseClock.milliseconds(notice.occurredAt))
        try Self.preRelease(release, now: now, store, context)
    }

    /// Notes the record the person index gives the release's subject (none without a name),
    /// so that an assessment kept under a record linked to it is found (`latestAssessment(for:)`).
    /// A record a sealing order removed is not noted again by an event that occurred before it.
    private func noteSubjectRecord(
        of event: AdmittedEvent, release: KnownRelease, occurredAt: Date, forgetAfter: Int64?, _ store: ReleaseStore, _ context: RouterContext
    ) throws {
        guard let recordId = try PersonRecordIds.subject(of: event) else { return }
        if try PersonLinkStore(transaction: context.storage).sealedAfter([recordId], occurredAtMilliseconds: occurredAt.milliseconds) != nil { return }
        try store.noteRecord(recordId, ofRelease: release.releaseId, forgetAfterMilliseconds: forgetAfter)
    }

    /// An assessment whose subject names no state ID (`supervision.assessments` version 2):
    /// kept under the record the person index gives its subject (or, nameless, its subject
    /// key), then the due releases it may concern are judged: those matching its FBI number,
    /// and those whose subject's record is the same or linked to it. A link read later judges
    /// them then (`evaluateLinkedReleases(ofPerson:)`, from `LinkedArrestRules`).
    private func keepLinkedAssessment(
        _ event: AdmittedEvent, _ assessment: EventEnvelope<AssessmentCompleted>, _ store: ReleaseStore, _ context: RouterContext
    ) throws {
        guard let recordId = try PersonRecordIds.subject(of: event) ?? SubjectKey.key(assessment.subject, source: assessment.source) else {
            throw PoisonMessage(reason: "\(event.eventType): subject: names no identifier to keep the assessment under")
        }
        // The runtime's ledger knows people by state ID and FBI number; a record a sealing order
        // removed is known to the links' ledger.
        if try PersonLinkStore(transaction: context.storage).sealedAfter([recordId], occurredAtMilliseconds: assessment.occurredAt.milliseconds) != nil {
            return
        }
        try store.keepLinkedAssessment(
            assessment, recordId: recordId, forgetAfterMilliseconds: assessmentRetention.forgetAfter(event.timestampMilliseconds))
        try evaluateDue(of: assessment.subject, occurredAt: assessment.occurredAt, store, context)
        let now = max(try store.lastTick() ?? Int64.min, ReleaseClock.milliseconds(assessment.occurredAt))
        try Self.evaluateLinkedReleases(ofRecords: [recordId], now: now, store, context)
    }

    /// Judges again the releases whose window is open of the person the index now links
    /// `person` to: called when `bus.identity` joins records, so an assessment and a release
    /// kept under different records of one person meet. Judging is idempotent (notification
    /// ids), so a redelivered link sends nothing new. "Now" is the latest tick, or the link's
    /// Kafka time when later.
    static func evaluateLinkedReleases(ofPerson person: String, at linkedAtMilliseconds: Int64?, in context: RouterContext) throws {
        let store = ReleaseStore(context.storage)
        let now = max(try store.lastTick() ?? Int64.min, linkedAtMilliseconds ?? Int64.min)
        // The person's records are all its linked records: no link to follow again.
        try judgeReleases(ofRecords: Set(try PersonLinkStore(transaction: context.storage).records(of: person)), now: now, store, context)
    }

    /// Judges the releases whose subject is one of `recordIds` or a record linked to one.
    private static func evaluateLinkedReleases(ofRecords recordIds: Set<String>, now: Int64, _ store: ReleaseStore, _ context: RouterContext) throws {
        try judgeReleases(ofRecords: try linkedRecords(recordIds, context), now: now, store, context)
    }

    /// Judges the releases whose subject is one of `recordIds`.
    private static func judgeReleases(ofRecords recordIds: Set<String>, now: Int64, _ store: ReleaseStore, _ context: RouterContext) throws {
        for releaseId in try store.releases(ofRecords: recordIds) {
            guard let release = try store.release(releaseId) else { continue }
            try preRelease(release, now: now, store, context)
        }
    }

    /// `recordIds` and every record the index puts with them (the persons they belong to).
    private static func linkedRecords(_ recordIds: Set<String>, _ context: RouterContext) throws -> Set<String> {
        let links = PersonLinkStore(transaction: context.storage)
        var records = recordIds
        for recordId in recordIds {
            if let person = try links.link(of: recordId)?.personId { records.formUnion(try links.records(of: person)) }
        }
        return records
    }

    /// The released person's latest assessment (completed on or before `day`, when given):
    /// matched on the release's state ID or FBI number, or kept under a record of the release's
    /// subject, one the index links to it, or the release's FBI number (an assessment that
    /// named no state ID), whichever was completed last. One found through a link says how sure the link is (``KeptAssessment/link``).
    static func latestAssessment(
        for release: KnownRelease, onOrBefore day: String? = nil, _ store: ReleaseStore, _ context: RouterContext
    ) throws -> KeptAssessment? {
        let numbered = try store.latestAssessment(of: release.subject, onOrBefore: day)
        let own = Set(try store.records(ofRelease: release.releaseId))
        guard let found = try store.latestLinkedAssessment(
                records: try linkedRecords(own, context), fbiNumber: release.subject?.fbiNumber, onOrBefore: day),
              numbered.map({ ($0.completedOn, $0.assessmentId) < (found.assessment.completedOn, found.assessment.assessmentId) }) ?? true
        else { return numbered }
        var assessment = found.assessment
        let sharesANumber = own.contains(found.recordId) || (found.fbiNumber != nil && found.fbiNumber == release.subject?.fbiNumber)
        if !sharesANumber {
            assessment.link = try PersonLinkStore(transaction: context.storage).link(of: found.recordId)
            assessment.linkedRecordId = found.recordId
        }
        return assessment
    }

    /// The release id an event names (decoded by its type; the payload decodes again later).
    static func releaseId(of event: AdmittedEvent) throws -> String {
        switch event.eventType {
        case ReleaseScheduled.eventType: try event.decode(ReleaseScheduled.self).payload.releaseId
        case ReleaseChanged.eventType: try event.decode(ReleaseChanged.self).payload.releaseId
        case ReleaseCancelled.eventType: try event.decode(ReleaseCancelled.self).payload.releaseId
        default: try event.decode(ReleaseCompleted.self).payload.releaseId
        }
    }

    /// `supervisee-release` and the supervising agencies' `short-notice-release`: what the
    /// person's cases (those covering the release's or the event's day) call for.
    static func caseNotifications(_ notice: ReleaseNotice, cases: [SupervisionCase]) -> [BusNotification] {
        let covering = cases.filter { $0.covers(notice.releaseDay) || $0.covers(notice.eventDay) }
        // The officer in charge when the event happened and any who took the case over within the
        // handover window; and always the agency the release names as supervising (also when the
        // router holds none of its cases: parole that starts at the release), so who is told does
        // not depend on whether the case or the release is read first.
        let at = Int64((notice.occurredAt.timeIntervalSince1970 * 1_000).rounded())
        var notifications: [BusNotification] = covering.flatMap { supervision in
            supervision.recipients(forEventAt: at).map { SuperviseeReleaseNotification.make(notice, supervision: supervision, recipient: $0) }
        }
        if let agency = notice.supervisingAgencyId {
            notifications.append(SuperviseeReleaseNotification.make(notice, supervisingAgencyId: agency))
        }
        guard notice.isShortNotice else { return notifications }
        var agencies: [(agency: String, caseId: String?)] = []
        for supervision in covering where !agencies.contains(where: { $0.agency == supervision.agencyId }) {
            agencies.append((supervision.agencyId, supervision.caseId))
        }
        if let named = notice.supervisingAgencyId, !agencies.contains(where: { $0.agency == named }) { agencies.append((named, nil)) }
        notifications += agencies.map { ShortNoticeReleaseNotification.make(notice, recipient: .agency($0.agency), destination: nil, supervisingCase: $0.caseId) }
        return notifications
    }

    /// `release-into-jurisdiction` and the police's `short-notice-release`.
    static func placeNotifications(_ notice: ReleaseNotice, police: Recipient, destination: Address) -> [BusNotification] {
        var notifications = [ReleaseIntoJurisdictionNotification.make(notice, police: police, destination: destination)]
        if notice.isShortNotice {
            notifications.append(ShortNoticeReleaseNotification.make(notice, recipient: police, destination: destination, supervisingCase: nil))
        }
        return notifications
    }

    /// `subscription-release`: one per subscription.
    static func subscriberNotifications(_ notice: ReleaseNotice, subscriptions: [Subscription]) -> [BusNotification] {
        subscriptions.map { SubscriptionReleaseNotification.make(notice, subscription: $0) }
    }

    /// The active subscriptions at the event's time, with kind `releases`, following the person
    /// or the destination's place (by id, each once).
    private func subscriptions(following notice: ReleaseNotice, _ context: RouterContext) throws -> [Subscription] {
        let store = context.subscriptions
        var found = try store.active(forPerson: notice.subject?.stateId, fbiNumber: notice.subject?.fbiNumber, asOf: notice.occurredAt)
        if let destination = notice.destination {
            found += try store.active(inState: destination.state, place: destination.city, county: nil, asOf: notice.occurredAt)
            for county in try PlaceCounties.counties(of: destination, in: DirectoryStore(context.storage)) {
                found += try store.active(inState: destination.state, place: nil, county: county, asOf: notice.occurredAt)
            }
        }
        var seen: Set<String> = []
        return found.filter { $0.covers(.releases) && seen.insert($0.id).inserted }.sorted { $0.id < $1.id }
    }

    /// A person or place subscription read after release events it was active at (the topics
    /// are not ordered with each other): their notices now, each once (same ids as when the
    /// subscription is read first).
    private func subscriptionRecorded(_ event: AdmittedEvent, _ store: ReleaseStore, _ context: RouterContext) throws {
        let recorded = try event.decode(SubscriptionRecorded.self).payload
        guard let subscription = try context.subscriptions.subscription(recorded.subscriptionId), subscription.covers(.releases) else { return }
        let kept: [(notice: ReleaseNotice, forgetAfter: Int64?)]
        switch subscription.subject {
        case .person(let stateId, let fbiNumber):
            kept = try store.notices(of: SubjectIdentifiers(stateId: stateId, fbiNumber: fbiNumber), nowMilliseconds: event.timestampMilliseconds)
        case .place(let state, let place):
            kept = try store.notices(inState: state, places: [place], nowMilliseconds: event.timestampMilliseconds)
        case .county(let state, let county):
            let places = try PlaceCounties.places(of: county, state: state, in: DirectoryStore(context.storage))
            kept = try store.notices(inState: state, places: places, nowMilliseconds: event.timestampMilliseconds)
        default:
            return
        }
        for (notice, forgetAfter) in kept where subscription.isActive(asOf: notice.occurredAt) {
            try context.send(Self.subscriberNotifications(notice, subscriptions: [subscription]), forgetAfterMilliseconds: forgetAfter)
        }
    }

    // MARK: Pre-release (60 days)

    /// Evaluates the person's releases whose window is open, "now" being the latest tick or
    /// `occurredAt` when later.
    private func evaluateDue(of subject: SubjectIdentifiers?, occurredAt: Date, _ store: ReleaseStore, _ context: RouterContext) throws {
        let now = max(try store.lastTick() ?? Int64.min, ReleaseClock.milliseconds(occurredAt))
        for release in try store.dueReleases(of: subject, now: now) {
            try Self.preRelease(release, now: now, store, context)
        }
    }

    /// `high-risk-release-60-days` and `high-needs-release` for one release, if its window has
    /// opened by `clock`. The rules are judged at `clock`, or at the expected time when the clock
    /// has passed it (a release read late — by a replay, which reads the clock before the
    /// releases — is judged as it would have been while it was due; its completion, read in
    /// order after it, ends the evaluation).
    private static func preRelease(_ release: KnownRelease, now clock: Int64, _ store: ReleaseStore, _ context: RouterContext) throws {
        guard release.status == .scheduled, let expectedAt = release.expectedAt, let dueFrom = release.dueFromMilliseconds,
              dueFrom <= clock else { return }
        let now = min(clock, ReleaseClock.milliseconds(expectedAt))
        // The latest completed by then (a replay has read later ones already).
        let assessment = try latestAssessment(for: release, onOrBefore: Describe.day(ReleaseClock.date(now)).description, store, context)
        let involvements = try store.involvements(
            of: release.subject, from: now - ReleaseRisk.incidentLookBackMilliseconds, until: now)
        let places = try release.destination.map { try PlaceAgencies(for: $0, in: DirectoryStore(context.storage)) }
        let nowDay = Describe.day(ReleaseClock.date(now)).description
        let releaseDay = Describe.day(expectedAt).description
        let cases = try context.cases.cases(matching: release.subject).filter { $0.covers(nowDay) || $0.covers(releaseDay) }
        let notifications = try Self.preReleaseNotifications(
            release, assessment: assessment, involvements: involvements, cases: cases, places: places
        ).compactMap { notification in try reissued(notification, scope: release.preReleaseScope, store, context) }
        // Remembered until well after the release, when no tick can make it due again.
        let forgetAfter = ReleaseClock.milliseconds(expectedAt) + 60 * 86_400_000
        let sent = try context.sendCountingMisses(notifications, forgetAfterMilliseconds: forgetAfter)
        // Those that used an assessment found through a link, for a retraction on unlink.
        guard let assessmentRecord = assessment?.linkedRecordId else { return }
        for notification in sent where notification.reason.matched.contains(where: { $0.name == "personIndex" }) {
            try store.noteLinkedNotice(notification, releaseId: release.releaseId, assessmentRecordId: assessmentRecord, forgetAfterMilliseconds: forgetAfter)
        }
    }

    /// Retracts, once, every pre-release notice that used an assessment found through a link
    /// when the assessment's record and the release's subject are no longer one person (an
    /// unlink or a split read on `bus.identity`): rule `pre-release-notice-retracted`, to the
    /// same recipient. Then judges those releases again ("now" as for a link): what the
    /// person's own assessment calls for goes out under a new id (``reissued(_:scope:_:_:)``), so a
    /// recipient told to disregard the notice still learns that the person is high risk when
    /// their own assessment says so. A redelivered unlink retracts nothing again and the new
    /// notices keep their ids.
    static func retractSeparatedAssessments(at separatedAtMilliseconds: Int64?, in context: RouterContext) throws {
        let store = ReleaseStore(context.storage)
        var judgeAgain = Set<String>()
        for open in try store.openLinkedNotices() {
            let releaseRecords = try linkedRecords(Set(try store.records(ofRelease: open.releaseId)), context)
            guard !releaseRecords.contains(open.assessmentRecordId) else { continue }
            _ = try NotificationOutbox.emit(
                PreReleaseNotification.retraction(of: open.notice), signedWith: context.signingKey, forgetAfterMilliseconds: open.forgetAfter,
                in: context.transaction)
            try store.markLinkedNoticeRetracted(open.notice.id)
            judgeAgain.insert(open.releaseId)
        }
        let now = max(try store.lastTick() ?? Int64.min, separatedAtMilliseconds ?? Int64.min)
        for releaseId in judgeAgain.sorted() {
            guard let release = try store.release(releaseId) else { continue }
            try preRelease(release, now: now, store, context)
        }
    }

    /// `notification` (routed for `scope`) under an id no retracted notice has: a notice whose
    /// id was retracted (same release, date, rule and recipient) is a new notice after the
    /// retraction, scoped by the id it follows, so the outbox does not take it for the
    /// retracted one. The same events give the same ids in a replay. Nil (nothing to send,
    /// reported) once retracted more often than a sealing order follows (`RouterContext.reissued`).
    static func reissued(_ notification: BusNotification, scope: String, _ store: ReleaseStore, _ context: RouterContext) throws -> BusNotification? {
        try context.reissued(notification, scope: scope, isRetracted: store.isRetractedLinkedNotice)
    }

    /// The pre-release notices for a release in its window: a plain function of what was found.
    static func preReleaseNotifications(
        _ release: KnownRelease, assessment: KeptAssessment?, involvements: [KeptInvolvement], cases: [SupervisionCase], places: PlaceAgencies?
    ) -> [BusNotification] {
        var notifications: [BusNotification] = []
        if let assessment, ReleaseRisk.isHigh(assessment.riskLevel) {
            if let destination = release.destination, let places {
                notifications.append(PreReleaseNotification.highRisk(release, assessment: assessment, to: places.police(serving: destination), as: .police(destination)))
            }
            // The officer in charge when the notice fell due (the window opened, or the date was set
            // if later) and any who took the case over within the handover window: the same
            // people whenever the notice is judged.
            let dueAt = max(release.dueFromMilliseconds ?? .min, release.expectedEventOccurredAt.map(ReleaseClock.milliseconds) ?? .min)
            for supervision in cases {
                for officer in supervision.recipients(forEventAt: dueAt) {
                    notifications.append(PreReleaseNotification.highRisk(release, assessment: assessment, to: officer, as: .officer(supervision)))
                }
            }
            if let destination = release.destination, let places {
                notifications.append(PreReleaseNotification.highRisk(
                    release, assessment: assessment, to: places.reentryServices(serving: destination), as: .reentryServices(destination)))
            }
        }
        if (assessment?.highNeeds ?? false) || !involvements.isEmpty, let destination = release.destination, let places {
            notifications.append(PreReleaseNotification.highNeeds(
                release, assessment: assessment, involvements: involvements, to: places.reentryServices(serving: destination), destination: destination))
        }
        return notifications
    }

    // MARK: Sealing and forgetting

    func seal(_ order: SealingOrder, in context: RouterContext) throws -> SealingTally {
        guard order.scope == .allRecords else { return SealingTally() }  // releases belong to no supervision case
        let store = ReleaseStore(context.storage)
        var tally = SealingTally()
        for stateId in try store.stateIds(of: order) where stateId != order.stateId { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        // An order naming only the FBI number: the state IDs the router's cases pair with it
        // find the involvements, which incidents record by state ID alone. (The releases under
        // the other number go when the router applies the completed order: `RouterProjection`.)
        tally.merge(try store.removePerson(order, alsoStateIds: try context.cases.stateIds(of: order)))
        return tally
    }

    func forget(before now: Int64, limit: Int, in context: RouterContext) throws {
        try ReleaseStore(context.storage).forget(before: now, limit: limit)
    }
}
