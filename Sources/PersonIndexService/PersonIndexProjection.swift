import Contracts
import Kafka
import Foundation
import PersonIndex
import PersonIndexStore
import ServiceKit
import Storage

/// The person index on the bus (`reentrybus serve person-index`): every agency event that names
/// a person becomes one `PersonRecord` per person named (`IndexedRecord`), added to the index
/// (`PersonIndexStore`) in the batch's transaction; the `bus.identity` events the store returns
/// (linked, merged, review-requested) go to the outbox in that same transaction. Offsets, the
/// index and the events to publish are durable together or not at all.
///
/// - **Which events**: every event type of the topics whose events name a person: arrests and
///   bookings, police contacts (the subject and the person contacted), violent incidents
///   (victims and suspects), investigations (persons of interest), releases, supervision cases,
///   warrants and detainers; and the assessments whose subject names no state ID
///   (`supervision.assessments` version 2: a prison's intake assessment under the DOC number),
///   which the router's pre-release rules find through the index's link. An assessment with a
///   state ID names the person as the case or release does, and adds nothing the index needs;
///   mental-health bulletins are not read (health information the index has no need for).
/// - **Idempotent**: a record id already stored with the same contents is skipped by the store,
///   so a redelivered batch changes nothing and queues nothing. Record ids are derived (from the
///   agency's identifier or the record's contents) and the events' ids from the agency event
///   that caused them (``eventId(causedBy:record:event:)``), so a replay from the beginning
///   rebuilds the same records and links (and `replay` publishes nothing).
/// - **Time**: an event's `at` is the Kafka timestamp of the agency event that caused it (its
///   `occurredAt` without one): no clock is read.
/// - **Sealing** (`records.sealing`, read in full): an order for all of a person's records
///   removes every person holding a record with the order's state ID or FBI number, with their
///   links, reviews and decisions (`PersonIndexStore.removePersons`); events about the person
///   still in the outbox are dropped by the runtime, and so are the records read from events
///   about the person that name someone else (the person a contact was with: `DerivedRecords`).
///   A person an incident, an investigation or a contact names in its payload is checked
///   against the orders one by one. An order for listed
///   cases removes nothing: the index's records carry no case.
public struct PersonIndexProjection: EventProjection {
    public static let arrestsTopic = "police.arrests"
    public static let contactsTopic = "police.contacts"
    public static let incidentsTopic = "police.incidents"
    public static let investigationsTopic = "police.investigations"
    public static let releasesTopic = "custody.releases"
    public static let casesTopic = "supervision.cases"
    public static let warrantsTopic = "courts.warrants"
    public static let assessmentsTopic = "supervision.assessments"
    /// The agency topics whose events name a person (see the type's documentation).
    public static let personTopics = [
        arrestsTopic, contactsTopic, incidentsTopic, investigationsTopic, releasesTopic, casesTopic, warrantsTopic, assessmentsTopic,
    ]
    /// The metric counting people an event names without a family name (not indexed).
    public static let unnamedMetric = "reentrybus_person_index_unnamed_total"
    /// The metric counting payload people left out because a sealing order covers them.
    public static let sealedMetric = "reentrybus_person_index_sealed_skipped_total"
    /// The metric counting the index's `bus.identity` events by kind (`linked`,
    /// `review-requested`, `merged`, `split`, `unlinked`, `decided`): a review queue that grows
    /// faster than reviewers decide is notices waiting on a human.
    public static let identityMetric = "reentrybus_person_index_identity_events_total"
    /// The metric counting the index's learnings of its m and u by outcome (`learnt`,
    /// `set_aside`: `PersonIndexStore.ModelLearning`); `persons stats` says why the last one
    /// set aside was.
    public static let learningMetric = "reentrybus_person_index_model_learnings_total"

    public let name = "person-index"
    public let topics = Self.personTopics + [SealingOrder.topic, PersonDecision.topic]
    /// Every instance removes a sealed person from its own index, whichever partition the order is on.
    public var referenceTopics: [String] { [SealingOrder.topic] }
    /// The index's decisions.
    public var producedTopics: [String] { [BusTopic.identity] }
    public let store: PersonIndexStore
    /// The `persons.population` the store's model was made with, checked at start against
    /// the people the index knows apart (``warningsAtStart(in:)``); nil checks nothing.
    public let population: Int?
    let eventTypes: Set<String>

    /// - Parameters:
    ///   - catalog: the contracts: the event types of ``personTopics``.
    ///   - store: the index's store (its matcher and thresholds).
    ///   - population: the `persons.population` the store's model was made with, to check at
    ///     start (default: nil, not checked).
    public init(catalog: TopicCatalog, store: PersonIndexStore = PersonIndexStore(), population: Int? = nil) {
        self.store = store
        self.population = population
        var types = SealingOrder.eventTypes
        types.insert(PersonDecision.eventType)
        for topic in catalog.topics where Self.personTopics.contains(topic.name) {
            for event in topic.events { types.insert(event.type) }
        }
        eventTypes = types
    }

    public var migrations: [StorageMigration] { PersonIndexStore.migrations + DerivedRecords.migrations }

    public func handles(eventType: String) -> Bool { eventTypes.contains(eventType) }

    /// A `persons.population` below the people the index holds different state IDs or FBI
    /// numbers for (`PersonIndexStore.populationWarning`): the store's prior is too generous.
    /// Counted once at start (it reads every blocking key); `persons stats --population` counts
    /// again on demand.
    public func warningsAtStart(in transaction: any StorageTransaction) throws -> [ProjectionWarning] {
        try populationWarning(transaction).map { [$0] } ?? []
    }

    /// The warning when `persons.population` is below the people the index knows apart, or nil.
    /// Checked at start and again at each of the index's learnings (records 2,000, 4,000, …:
    /// as the index grows, rarely), where it is logged once the batch commits.
    func populationWarning(_ transaction: any StorageTransaction) throws -> ProjectionWarning? {
        guard let population else { return nil }
        let people = try store.peopleAtLeast(transaction)
        guard let message = PersonIndexStore.populationWarning(population: population, peopleAtLeast: people) else { return nil }
        return ProjectionWarning(message, metadata: ["persons.population": "\(population)", "people-at-least": "\(people)"])
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        if event.eventType == PersonDecision.eventType { return try applyDecision(event, in: transaction) }
        let mentions = try PersonMentions(event)
        if event.eventType == AssessmentCompleted.eventType, !(mentions.subject?.stateId ?? "").isEmpty { return }
        let (records, unnamed) = IndexedRecord.records(from: mentions)
        for _ in 0..<unnamed { transaction.countOnCommit(Self.unnamedMetric, dimensions: [(name: "topic", value: event.topicPartition.topic)]) }
        let occurredAt = RFC3339.parse(mentions.occurredAt)
        let at = event.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1_000) } ?? occurredAt ?? Date(timeIntervalSince1970: 0)
        let ledger = SealingLedger(transaction.storage)
        for (position, indexed) in records.enumerated() {
            // The runtime has checked the envelope's subject; the payload's people are checked here.
            if indexed.role != "subject", let occurredAt, try ledger.covers(
                stateId: indexed.stateId, fbiNumber: indexed.fbiNumber, occurredAtMilliseconds: SealingOrder.milliseconds(occurredAt))
            {
                transaction.countOnCommit(Self.sealedMetric, dimensions: [(name: "topic", value: event.topicPartition.topic)])
                continue
            }
            let (recordId, identities) = try add(indexed, at: at, in: transaction)
            if indexed.role != "subject" {
                try DerivedRecords(transaction: transaction.storage)
                    .note(recordId, subjectStateId: mentions.subject?.stateId, subjectFbiNumber: mentions.subject?.fbiNumber)
            }
            for (number, var identity) in identities.enumerated() {
                identity.id = Self.eventId(causedBy: event.eventId, record: position, event: number)
                try transaction.emit(try message(identity, about: [recordId], transaction.storage))
                transaction.countOnCommit(Self.identityMetric, dimensions: [(name: "kind", value: identity.kind.rawValue)])
            }
        }
    }

    /// A reviewer's decision (`bus.person-decisions`, checked against its contract by the
    /// runtime like every message this service reads): applied by the store as
    /// `persons link|distinct --offline` would, its `bus.identity` events queued with ids
    /// derived from the decision's. A decision the store refuses (a record it does not hold, a
    /// link across a pair decided distinct, a distinct only undoing an identifier could
    /// satisfy, a malformed operator id) is a poison message: dead-lettered with the store's
    /// reason, nothing changed.
    private func applyDecision(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let decision = try PersonDecision.decode(event)
        let identities: [IdentityEvent]
        do {
            identities = try store.decide(decision.decision, decision.a, decision.b, by: decision.decidedBy, at: decision.at, transaction.storage)
        } catch let refusal as PersonIndexStoreError {
            throw PoisonMessage(reason: "\(PersonDecision.eventType): \(refusal.description)")
        }
        for (number, var identity) in identities.enumerated() {
            identity.id = Self.eventId(causedBy: decision.id, record: 0, event: number)
            try transaction.emit(try message(identity, about: [decision.a, decision.b], transaction.storage))
            transaction.countOnCommit(Self.identityMetric, dimensions: [(name: "kind", value: identity.kind.rawValue)])
        }
    }

    /// Adds the record; one whose id the index holds with other contents goes in as a variant.
    /// Returns the id the record is stored under and the events it caused.
    private func add(_ indexed: IndexedRecord, at: Date, in transaction: ProjectionTransaction) throws -> (String, [IdentityEvent]) {
        let learnt = { (outcome: PersonIndexStore.LearningOutcome) in
            transaction.countOnCommit(Self.learningMetric, dimensions: [(name: "outcome", value: outcome.label)])
            // The index has grown since the start's check: check the population again.
            if let warning = try populationWarning(transaction.storage) { transaction.warnOnCommit(warning) }
        }
        do {
            return (indexed.record.recordId, try store.add([indexed.record], at: at, transaction.storage, learnt: learnt))
        } catch let error as PersonIndexStoreError where error.reason == .conflictingRecord(indexed.record.recordId) {
            let variant = indexed.variant().record
            return (variant.recordId, try store.add([variant], at: at, transaction.storage, learnt: learnt))
        }
    }

    /// Removes the order's person from the index (see the type's documentation). An order
    /// naming one number alone is applied again with each other number the removed records
    /// carried (one step): an order naming the FBI number alone reaches the records filed under
    /// the state ID that the index had not put with them (a person named inside an incident).
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        guard order.scope == .allRecords else { return SealingTally() }
        var tally = try sealOnce(order, in: transaction)
        for completed in order.completions(stateIds: tally.pairedStateIds, fbiNumbers: tally.pairedFbiNumbers) {
            tally.merge(try sealOnce(completed, in: transaction))
        }
        return tally
    }

    /// ``seal(_:in:)`` for the order's own numbers.
    private func sealOnce(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        var tally = SealingTally()
        var removal = try store.removePersons(
            holding: PersonIdentifiers(stateId: order.stateId, fbiNumber: order.fbiNumber), transaction.storage)
        let derived = DerivedRecords(transaction: transaction.storage)
        let others = try store.removeRecords(
            try derived.records(subjectStateId: order.stateId, subjectFbiNumber: order.fbiNumber), transaction.storage)
        for (table, rows) in others.rowsByTable { removal.rowsByTable[table, default: 0] += rows }
        removal.recordIds += others.recordIds
        for (table, rows) in removal.rowsByTable { tally.add(rows, from: table) }
        tally.add(try derived.forget(removal.recordIds), from: "person_index_derived_records")
        for stateId in removal.stateIds { tally.notePaired(stateId: stateId, fbiNumber: nil) }
        for fbiNumber in removal.fbiNumbers { tally.notePaired(stateId: nil, fbiNumber: fbiNumber) }
        return tally
    }

    /// The id of the `number`th event the `record`th person of agency event `eventId` caused: a
    /// UUID of version 8 from SHA-256. Derived from the cause rather than the store's event
    /// counter, whose value depends on the order the topics' partitions interleaved in: a
    /// replay may end with another count, and the service would then give new events ids
    /// already used for others, which receivers would drop as duplicates. An agency event is
    /// applied once (offsets and applied event ids), so each id names one event.
    static func eventId(causedBy eventId: String, record: Int, event number: Int) -> String {
        SHA256.derivedUUID("reentrybus.identity\u{0}\(eventId)\u{0}\(record)\u{0}\(number)")
    }

    /// The id of the `number`th `bus.identity` event a reviewer's decision caused (its
    /// `decided` event is the 0th): how `persons link|distinct` recognises the index's verdict.
    public static func eventId(ofDecision decisionId: String, event number: Int) -> String {
        eventId(causedBy: decisionId, record: 0, event: number)
    }

    /// `event` as a message of `bus.identity`, keyed by its person; `subjectStateId` lets a
    /// sealing order drop it while it waits in the outbox.
    static func message(_ event: IdentityEvent, subjectStateId: String?, subjectFbiNumber: String? = nil) throws -> OutgoingMessage {
        OutgoingMessage(
            topic: BusTopic.identity, key: event.personId, value: try event.encoded(),
            headers: event.headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, value: $0.value) },
            subjectStateId: subjectStateId, subjectFbiNumber: subjectFbiNumber)
    }

    /// `event` as a message filed under the person's numbers (`PersonIndexStore.subjectNumbers`:
    /// those of `records`, else of any record of the persons the event names), so that a
    /// sealing order drops it from the outbox even when the record it is about (a booking
    /// without a state ID) carries neither: record ids name people by agencies' numbers.
    private func message(_ event: IdentityEvent, about records: [String], _ storage: any StorageTransaction) throws -> OutgoingMessage {
        let recordIds = records + [event.recordId, event.linkedTo].compactMap { $0 }
        let personIds = [event.personId, event.newPersonId].compactMap { $0 }
        let numbers = try store.subjectNumbers(records: recordIds, persons: personIds, storage)
        return try Self.message(event, subjectStateId: numbers.stateId, subjectFbiNumber: numbers.fbiNumber)
    }
}
