import Contracts
import Directory
import Foundation
import Notifications
import ServiceKit
import Storage
import Timers

/// The feeds service: watches every agency's feeds (each agency topic of the contracts, per
/// source agency) against their expected cadence, and tells the bus's operators and the agency
/// when one falls silent and when it publishes again. It ties together its store
/// (`FeedsStore`, the only SQL), the liveness rules (`FeedLiveness`, plain functions), their
/// wording (`FeedNotices`) and the signing of what it sends.
///
/// - An agency event counts for its feed (`source.agencyId` × topic): its Kafka timestamp and
///   the count. Only the envelope's `source` is read; the payload is neither validated nor
///   decoded (the service is admitted with `MessageAdmission.envelopes`). An event whose value
///   is not JSON or names no valid source agency is dead-lettered.
/// - The directory (`reference.agencies`) and the ticks (`bus.timers`), whose contents it
///   uses, are checked against their contracts in full here.
/// - On each tick (later than the latest read; an earlier or repeated one does nothing), every
///   expected feed silent for more than twice its cadence whose silence has no alarm yet gets
///   one: rule `feed-silent`, high, to the operators and to `agency:ID`, with the integrator
///   contact. The next event of the feed sends the all-clear: `feed-restored`, routine, to the
///   same recipients. Ids are derived from the feed and the silence's start (`FeedNotices`).
///   No clock is read: the tick's instant is "now".
///
/// Every instance reads every feed in full (the agency topics and the directory are reference
/// topics): an agency's events are spread over its topics' partitions, and a share of them
/// would make a live feed look silent. The ticks are the consumer group's only topic; having one
/// partition, they reach one instance at a time, which raises the alarms while the others keep
/// the same state and stand by. After a rebalance the new reader raises an open alarm again
/// with the same ids (the inbox keeps one copy).
///
/// `records.sealing` is a feed too, but the runtime hands its events to `seal(_:in:)` instead
/// of `apply`: they are counted there, for the issuing court, at the order's time (the service
/// keeps no personal data, so it has nothing to remove).
public struct FeedsProjection: EventProjection {
    public static let directoryTopic = DirectoryStore.topic
    public static let timersTopic = TimerTick.topic
    /// Where the alarms go besides the agency when the configuration names no one.
    public static let defaultOperators = Recipient.unit("BUS-OPERATIONS")
    /// How long the service remembers a notification it sent (the notifications topic's retention).
    public static let notificationMemory = RetentionWindow.days(30)

    public let name = "feeds"
    public let topics: [String]
    public let referenceTopics: [String]
    public let feedTopics: FeedTopics
    /// Who runs the bus: told of every silent feed with the agency.
    public let operators: Recipient
    let signingKey: NotificationSigningKey
    let validator: EventValidator
    let eventTypes: Set<String>

    /// - Parameters:
    ///   - catalog: the contracts: which topics are agencies' feeds and who produces them.
    ///   - signingKey: signs every notification sent (from configuration).
    ///   - operators: the bus's operators (default: ``defaultOperators``).
    public init(catalog: TopicCatalog, signingKey: NotificationSigningKey, operators: Recipient = Self.defaultOperators) {
        feedTopics = FeedTopics(catalog: catalog)
        referenceTopics = feedTopics.names + [Self.directoryTopic]
        topics = referenceTopics + [Self.timersTopic]
        self.operators = operators
        self.signingKey = signingKey
        validator = EventValidator(catalog: catalog)
        var types: Set<String> = [TimerTick.eventType, AgencyDescribed.eventType, AgencyRetired.eventType]
        for topic in catalog.topics where feedTopics.producers[topic.name] != nil {
            for event in topic.events { types.insert(event.type) }
        }
        eventTypes = types
    }

    public var migrations: [StorageMigration] { FeedsStore.migrations + NotificationOutbox.migrations }

    public func handles(eventType: String) -> Bool { eventTypes.contains(eventType) }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        switch event.topicPartition.topic {
        case Self.timersTopic: try tick(TimerTick.decode(try validated(event)), in: transaction)
        case Self.directoryTopic: try directoryChanged(try validated(event), in: transaction)
        default: try feedEvent(event, in: transaction)
        }
    }

    /// Counts a court's sealing order for its feed (see the type's documentation).
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        try counted(FeedKey(agencyId: order.issuingCourtId, topic: SealingOrder.topic), agencyKind: AgencyKind.court.rawValue,
                    at: order.orderedAtMilliseconds, eventType: order.kind == .sealed ? RecordSealed.eventType : RecordExpunged.eventType,
                    in: transaction)
        return SealingTally()
    }

    public func forget(before now: Int64, limit: Int, in transaction: ProjectionTransaction) throws {
        try NotificationOutbox.forget(before: now, limit: limit, transaction.storage)
    }

    // MARK: Events

    private func feedEvent(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let source = try FeedSource(event)
        try counted(FeedKey(agencyId: source.agencyId, topic: event.topicPartition.topic), agencyKind: source.agencyKind,
                    at: event.timestampMilliseconds ?? source.recordedAtMilliseconds, eventType: event.eventType, in: transaction)
    }

    /// Counts one event of `key`; when it ends an alarmed silence, sends the all-clear.
    private func counted(
        _ key: FeedKey, agencyKind: String?, at milliseconds: Int64?, eventType: String, in transaction: ProjectionTransaction
    ) throws {
        let store = FeedsStore(transaction.storage)
        let before = try store.recordEvent(key, agencyKind: agencyKind, at: milliseconds)
        guard let milliseconds, FeedLiveness.endsSilence(before, eventMilliseconds: milliseconds),
              let since = before?.alarmSinceMilliseconds else { return }
        try store.closeAlarm(key)
        let name = try DirectoryStore(transaction.storage).all().agency(key.agencyId)?.name
        try send(FeedNotices.restored(key, agencyName: name, since: since, restoredAt: milliseconds, eventType: eventType, operators: operators),
                 at: milliseconds, transaction)
    }

    private func directoryChanged(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        let directory = DirectoryStore(transaction.storage)
        let feeds = FeedsStore(transaction.storage)
        switch event.eventType {
        case AgencyDescribed.eventType:
            let described = try event.decode(AgencyDescribed.self)
            try directory.describe(described.payload)
            let at = event.timestampMilliseconds ?? SealingOrder.milliseconds(described.recordedAt)
            try feeds.noteDescribed(described.payload.agencyId, at: at)
        case AgencyRetired.eventType:
            let retired = try event.decode(AgencyRetired.self)
            try directory.retire(retired.payload.agencyId)
            try feeds.noteRetired(retired.payload.agencyId)
        default:
            return
        }
    }

    private func tick(_ tick: TimerTick, in transaction: ProjectionTransaction) throws {
        let store = FeedsStore(transaction.storage)
        let now = tick.atMilliseconds
        if let latest = try store.latestTick(), now <= latest { return }  // read before, or a later one was: nothing new is due
        try store.advanceClock(to: now, tickId: tick.id)
        let agencies = try store.directoryAgencies()
        let feeds = FeedLiveness.assess(
            topics: feedTopics, agencies: agencies, retired: try store.retiredAgencies(), records: try store.records(), at: now)
        for feed in feeds {
            guard let since = feed.silenceToAlarm else { continue }
            try store.openAlarm(feed.key, since: since)
            let contact = agencies[feed.key.agencyId]?.entry.integratorContact
            try send(FeedNotices.silent(feed, since: since, integratorContact: contact, operators: operators), at: now, transaction)
        }
    }

    /// Signs and queues `notifications` (each id at most once), remembered for the
    /// notifications topic's retention from `at`.
    private func send(_ notifications: [BusNotification], at milliseconds: Int64, _ transaction: ProjectionTransaction) throws {
        for notification in notifications {
            try NotificationOutbox.emit(
                notification, signedWith: signingKey, forgetAfterMilliseconds: Self.notificationMemory.forgetAfter(milliseconds),
                in: transaction)
        }
    }

    /// `event` checked against its contract in full (the directory and the ticks, whose
    /// contents the service uses), with its parsed value.
    private func validated(_ event: AdmittedEvent) throws(PoisonMessage) -> AdmittedEvent {
        var headers: [String: String] = [:]
        for header in event.headers where headers[header.key] == nil { headers[header.key] = header.stringValue }
        do {
            let checked = try validator.validateMessage(
                topic: event.topicPartition.topic, key: Array(event.key.utf8), value: event.value, headers: headers)
            var event = event
            event.document = checked.document
            return event
        } catch {
            throw PoisonMessage(reason: "invalid event: \(error.description)")
        }
    }
}
