import Contracts
import Foundation
import ServiceKit

/// A reviewer's decision about a pair of records, as `reentrybus persons link|distinct` publishes
/// it on `bus.person-decisions` and the person index applies it (``PersonIndexStore/decide(_:_:_:by:at:_:)``).
///
/// Why on the bus rather than written into the index's database: the index announces every
/// change on `bus.identity` through its outbox, in the transaction that makes it, so only the
/// service may change its state; and a replay rebuilds the state from topics, so a decision kept
/// only in a database would be lost by the next replay. The pair is stored in the index's order
/// (smaller id first), so the same decision typed either way round is one decision. The id is
/// derived from pair, decision, operator and time: a retried send is applied once.
public struct PersonDecision: Sendable, Hashable, Codable {
    public static let topic = BusTopic.personDecisions
    public static let eventType = "bus.person.decision-recorded"
    public static let schemaVersion = 1

    public var id: String
    /// The smaller record id of the pair; also the message key.
    public var a: String
    public var b: String
    public var decision: HumanDecision.Kind
    public var decidedBy: String
    public var at: Date

    public init(_ decision: HumanDecision.Kind, _ first: String, _ second: String, by operatorId: String, at: Date) {
        (a, b) = PersonIndexStore.ordered(first, second)
        self.decision = decision
        decidedBy = operatorId
        // The contract's instants carry milliseconds at most: the id is computed from what is sent.
        self.at = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1_000).rounded(.down) / 1_000)
        id = ""
        id = derivedId
    }

    /// A UUID-shaped id (version 8) from SHA-256 of the pair, the decision, who and when.
    public var derivedId: String {
        SHA256.derivedUUID(
            "reentrybus.person-decision\u{0}\(a)\u{0}\(b)\u{0}\(decision.rawValue)\u{0}\(decidedBy)\u{0}\(EventCodec.formatInstant(at))")
    }

    /// The message value: sorted members, an RFC 3339 instant.
    public func encoded() throws -> [UInt8] { try EventCodec.encodeJSON(self) }

    /// The headers the message travels with.
    public var headers: [String: String] {
        [
            EventHeaders.eventType: Self.eventType, EventHeaders.schemaVersion: String(Self.schemaVersion),
            EventHeaders.eventId: id, EventHeaders.contentType: EventHeaders.json,
        ]
    }

    /// Reads an admitted `bus.person.decision-recorded` message (checked against its contract by
    /// the caller). One whose id is not the one its contents give, whose pair is not in the
    /// index's order or whose key is not its first record is refused, naming what is wrong.
    public static func decode(_ event: AdmittedEvent) throws(PoisonMessage) -> PersonDecision {
        let decision: PersonDecision
        do {
            decision = try EventCodec.decodeJSON(PersonDecision.self, from: event.value)
        } catch {
            throw PoisonMessage(reason: "a \(eventType) message does not decode: \(String(describing: type(of: error)))")
        }
        guard decision.id == event.eventId else { throw PoisonMessage(reason: "$.id: differs from the event-id header") }
        guard decision.a < decision.b else { throw PoisonMessage(reason: "$.a: not the smaller record id of the pair") }
        guard decision.id == decision.derivedId else {
            throw PoisonMessage(reason: "$.id: not the id its pair, decision, operator and time give")
        }
        guard event.key == decision.a else { throw PoisonMessage(reason: "the message key differs from $.a") }
        return decision
    }
}
