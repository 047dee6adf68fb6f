import Contracts
import Foundation
import Placeholders

/// A court's order sealing or expunging a person's records (`records.sealing`), as every
/// service that keeps personal data acts on it.
///
/// Both kinds remove what they cover from the bus's state: a sealed record may be shown only as
/// the law allows, and the bus has no way to tell who that is, so it keeps nothing; an expunged
/// one must be destroyed. What a service removed is recorded (`SealingLedger`) by order id, kind,
/// scope and counts, never the removed data.
///
/// An order covers the records about its subject (matched on state ID or FBI number) that
/// *occurred before it*; with scope `listed_cases`, only those of the listed court or supervision
/// cases. Records that happen later are new records and are kept.
public struct SealingOrder: Sendable, Hashable {
    /// Sealed (kept out of sight) or expunged (destroyed); the bus removes both.
    public enum Kind: String, Sendable, Hashable {
        case sealed, expunged
    }

    public var kind: Kind
    public var orderId: String
    public var issuingCourtId: String
    public var orderedOn: CalendarDate
    public var scope: RecordOrderScope
    /// The listed cases (court case numbers or supervision case ids); empty for `all_records`.
    public var caseNumbers: [String]
    /// The person whose records it covers.
    public var stateId: String?
    public var fbiNumber: String?
    /// When the order was recorded (its `occurredAt`), milliseconds since 1970: it covers what
    /// occurred before.
    public var orderedAtMilliseconds: Int64
    /// The order event's id.
    public var eventId: String

    /// The topic of sealing and expungement orders. Every instance of a service that keeps
    /// personal data reads it in full (a reference topic, `EventProjection.referenceTopics`): the
    /// person's data may sit in any instance's database, whichever partition the order is on.
    public static let topic = "records.sealing"

    /// The two event types of `records.sealing`.
    public static let eventTypes: Set<String> = [RecordSealed.eventType, RecordExpunged.eventType]

    public init(
        kind: Kind, orderId: String, issuingCourtId: String, orderedOn: CalendarDate, scope: RecordOrderScope,
        caseNumbers: [String], stateId: String?, fbiNumber: String?, orderedAtMilliseconds: Int64, eventId: String
    ) {
        self.kind = kind
        self.orderId = orderId
        self.issuingCourtId = issuingCourtId
        self.orderedOn = orderedOn
        self.scope = scope
        self.caseNumbers = caseNumbers
        self.stateId = Self.nonEmpty(stateId)
        self.fbiNumber = Self.nonEmpty(fbiNumber)
        self.orderedAtMilliseconds = orderedAtMilliseconds
        self.eventId = eventId
    }

    /// The order `event` carries, or nil when it is not one of ``eventTypes``.
    ///
    /// - Throws: `PoisonMessage` when it does not decode, names its subject by neither state ID
    ///   nor FBI number, or lists no case under `listed_cases` (the contract requires them).
    public init?(_ event: AdmittedEvent) throws(PoisonMessage) {
        let order: SealingOrder
        switch event.eventType {
        case RecordSealed.eventType:
            let sealed = try event.decode(RecordSealed.self)
            let payload = sealed.payload
            order = SealingOrder(
                kind: .sealed, orderId: payload.orderId, issuingCourtId: payload.issuingCourtId, orderedOn: payload.orderedOn,
                scope: payload.scope, caseNumbers: payload.caseNumbers ?? [], stateId: sealed.subject?.stateId,
                fbiNumber: sealed.subject?.fbiNumber, orderedAtMilliseconds: Self.milliseconds(sealed.occurredAt),
                eventId: event.eventId)
        case RecordExpunged.eventType:
            let expunged = try event.decode(RecordExpunged.self)
            let payload = expunged.payload
            order = SealingOrder(
                kind: .expunged, orderId: payload.orderId, issuingCourtId: payload.issuingCourtId, orderedOn: payload.orderedOn,
                scope: payload.scope, caseNumbers: payload.caseNumbers ?? [], stateId: expunged.subject?.stateId,
                fbiNumber: expunged.subject?.fbiNumber, orderedAtMilliseconds: Self.milliseconds(expunged.occurredAt),
                eventId: event.eventId)
        default:
            return nil
        }
        guard order.stateId != nil || order.fbiNumber != nil else {
            throw PoisonMessage(
                reason: "subject.stateId and subject.fbiNumber are both missing or say there is none (\"UNKNOWN\", zeros): the order names nobody")
        }
        guard order.scope == .allRecords || !order.caseNumbers.isEmpty else {
            throw PoisonMessage(reason: "payload.caseNumbers is empty under scope listed_cases")
        }
        self = order
    }

    /// Whether a record of `caseNumber` (nil: a record of no case, such as an arrest) is within
    /// the order's scope. An `all_records` order covers every record; a `listed_cases` order
    /// only those of the listed cases.
    public func covers(caseNumber: String?) -> Bool {
        switch scope {
        case .allRecords: true
        case .listedCases: caseNumber.map(caseNumbers.contains) ?? false
        }
    }

    /// Whether the order reaches a person known by these numbers.
    public func names(stateId: String?, fbiNumber: String?) -> Bool {
        if let own = self.stateId, let other = Self.nonEmpty(stateId), own == other { return true }
        if let own = self.fbiNumber, let other = Self.nonEmpty(fbiNumber), own == other { return true }
        return false
    }

    /// The order with its missing number filled in, once for each of `stateIds` (when it names
    /// no state ID) or `fbiNumbers` (when it names no FBI number): the numbers a service's own
    /// rows pair with the order's, for a service whose rule families match on the order's
    /// numbers to apply it to the person's rows filed under the other number. Empty when the
    /// order names both numbers. A number that says there is none completes nothing.
    public func completions(stateIds: Set<String>, fbiNumbers: Set<String>) -> [SealingOrder] {
        var orders: [SealingOrder] = []
        if stateId == nil {
            for paired in stateIds.sorted() where !paired.isEmpty && !PersonNumberPlaceholder.isPlaceholder(paired) {
                var completed = self
                completed.stateId = paired
                orders.append(completed)
            }
        }
        if fbiNumber == nil {
            for paired in fbiNumbers.sorted() where !paired.isEmpty && !PersonNumberPlaceholder.isPlaceholder(paired) {
                var completed = self
                completed.fbiNumber = paired
                orders.append(completed)
            }
        }
        return orders
    }

    /// Applies `seal` to the order, then to each of its completions with `stateIds` and
    /// `fbiNumbers` (the numbers the service's rows pair with the order's, read before anything
    /// is removed), noting each completion's numbers as paired; returns the tallies merged.
    public func applying(
        pairedStateIds stateIds: Set<String>, pairedFbiNumbers fbiNumbers: Set<String>, _ seal: (SealingOrder) throws -> SealingTally
    ) rethrows -> SealingTally {
        var tally = try seal(self)
        for completed in completions(stateIds: stateIds, fbiNumbers: fbiNumbers) {
            tally.merge(try seal(completed))
            tally.notePaired(stateId: completed.stateId, fbiNumber: completed.fbiNumber)
        }
        return tally
    }

    /// `date` in milliseconds since 1970, to the nearest (as the views keep event times), so
    /// an order and a record at the same instant compare equal.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
