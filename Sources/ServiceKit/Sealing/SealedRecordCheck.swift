import Contracts
import Placeholders

/// Tells the runtime whether an applied sealing order covers an event about to be applied, from
/// the event's own JSON, so that no service keeps it (see `SealingLedger`).
///
/// It reads the fields every person-keyed contract shares: the subject's numbers (the envelope's
/// `subject.stateId` and `subject.fbiNumber`, or a notification's `subjectStateId`, else the
/// `fbiNumber` among its `reason.matched`: a person known by no state ID), the time
/// (`occurredAt`), and the case a record belongs to (`payload.caseNumber` of a court's record,
/// `payload.caseId` of a supervision case's). Events that name people only inside their payload
/// (incidents, investigations, the person a contact was with) are for the stores that keep those
/// people to check, person by person, with ``SealingLedger/covers(stateId:fbiNumber:caseNumber:occurredAtMilliseconds:)``.
enum SealedRecordCheck {
    /// Whether an order recorded in `ledger` covers `event`. An event whose JSON does not parse
    /// or carries no subject or time is not covered here: the projection judges it as usual.
    ///
    /// A court's warrant of a case covered this way (`payload.warrantId` beside
    /// `payload.caseNumber`: a replay applies the orders before the warrants, so the projection
    /// never removes it) is remembered as removed by the covering order, with the person's
    /// numbers the event names
    /// (``SealingLedger/noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)``;
    /// the ledger keeps no order's numbers, only their digests, so a kind of number the event
    /// does not name counts as unknown for the person): a detainer lodged on it names no case,
    /// and the stores that keep detainers ask about the warrant and the person it names.
    static func covers(_ event: AdmittedEvent, in ledger: SealingLedger) throws -> Bool {
        guard let fields = fields(value: event.value, document: event.document), let occurredAt = RFC3339.parse(fields.occurredAt),
            fields.stateId != nil || fields.fbiNumber != nil
        else { return false }
        guard let order = try ledger.coveringOrder(
            stateId: fields.stateId, fbiNumber: fields.fbiNumber, caseNumber: fields.caseNumber,
            occurredAtMilliseconds: SealingOrder.milliseconds(occurredAt))
        else { return false }
        if fields.caseNumber != nil, let warrantId = fields.warrantId {
            try ledger.noteRemoved(
                warrant: warrantId, stateIds: [fields.stateId], fbiNumbers: [fields.fbiNumber], orderId: order.orderId,
                orderedAtMilliseconds: order.orderedAtMilliseconds)
        }
        return true
    }


    /// What the check reads, each a non-empty string or nil.
    private struct Fields {
        var occurredAt: String
        var stateId: String?
        var fbiNumber: String?
        var caseNumber: String?
        var warrantId: String? = nil
    }

    /// The members as `Decodable`, decoded straight from the event's bytes (no tree: this runs
    /// for every event once any sealing order exists). A member of another type than a string
    /// fails it; the tree then reads the event as before.
    private struct Members: Decodable {
        struct Subject: Decodable {
            var stateId: String?
            var fbiNumber: String?
        }

        struct Payload: Decodable {
            var caseNumber: String?
            var caseId: String?
            var warrantId: String?
        }

        /// A notification's reason: what it matched (the FBI number of a person known by no
        /// state ID is among them).
        struct Reason: Decodable {
            struct Matched: Decodable {
                var name: String?
                var value: String?
            }

            var matched: [Matched]?
        }

        var occurredAt: String?
        var subject: Subject?
        var subjectStateId: String?
        var reason: Reason?
        var payload: Payload?
    }

    /// The person an event's JSON `value` is about (as ``covers(_:in:)`` reads it, whatever its
    /// time), for a copy of it kept outside the projection's tables: a dead letter waiting in the
    /// outbox, or moved aside as refused, is filed under the person's digest
    /// (`OutgoingMessage.subjectDigest`), so that an order for all their records removes it.
    /// Nil numbers when the value does not parse or names nobody.
    static func subject(ofJSON value: [UInt8]) -> (stateId: String?, fbiNumber: String?) {
        guard let fields = fields(value: value, document: nil, requiringTime: false) else { return (nil, nil) }
        return (fields.stateId, fields.fbiNumber)
    }

    /// The name a notification's `reason.matched` gives an FBI number (`BusNotification`).
    private static let matchedFbiNumber = "fbiNumber"

    private static func fields(value: [UInt8], document parsed: JSONValue?, requiringTime: Bool = true) -> Fields? {
        if parsed == nil, let members = try? EventCodec.decodeJSON(Members.self, from: value) {
            guard let occurredAt = nonEmpty(members.occurredAt) ?? (requiringTime ? nil : "") else { return nil }
            let stateId = number(members.subject?.stateId) ?? number(members.subjectStateId)
            let matched = members.reason?.matched?.first { $0.name == Self.matchedFbiNumber && number($0.value) != nil }?.value
            return Fields(
                occurredAt: occurredAt, stateId: stateId,
                fbiNumber: number(members.subject?.fbiNumber) ?? (stateId == nil ? matched : nil),
                caseNumber: nonEmpty(members.payload?.caseNumber) ?? nonEmpty(members.payload?.caseId),
                warrantId: nonEmpty(members.payload?.warrantId))
        }
        let document: JSONValue
        if let parsed {
            document = parsed
        } else {
            do {
                document = try JSONValue(parsing: value)
            } catch {
                return nil  // the projection refuses it with the parser's reason
            }
        }
        guard let occurredAt = text(document["occurredAt"]) ?? (requiringTime ? nil : "") else { return nil }
        let subject = document["subject"]
        let payload = document["payload"]
        let stateId = number(text(subject?["stateId"])) ?? number(text(document["subjectStateId"]))
        var matchedFbiNumber: String?
        if stateId == nil, case .array(let matched)? = document["reason"]?["matched"] {
            matchedFbiNumber = matched.first { text($0["name"]) == Self.matchedFbiNumber && number(text($0["value"])) != nil }.flatMap { text($0["value"]) }
        }
        return Fields(
            occurredAt: occurredAt, stateId: stateId, fbiNumber: number(text(subject?["fbiNumber"])) ?? matchedFbiNumber,
            caseNumber: text(payload?["caseNumber"]) ?? text(payload?["caseId"]), warrantId: text(payload?["warrantId"]))
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// A person's number; nil when missing or one that says there is none ("UNKNOWN", zeros),
    /// as the event types' decoders read it (`PersonNumberPlaceholder`).
    private static func number(_ text: String?) -> String? {
        guard let text = nonEmpty(text), !PersonNumberPlaceholder.isPlaceholder(text) else { return nil }
        return text
    }

    private static func text(_ value: JSONValue?) -> String? {
        guard case .string(let text)? = value, !text.isEmpty else { return nil }
        return text
    }
}
