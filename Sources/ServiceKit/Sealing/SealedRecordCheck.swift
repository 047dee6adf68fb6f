import Contracts

/// Tells the runtime whether an applied sealing order covers an event about to be applied, from
/// the event's own JSON, so that no service keeps it (see `SealingLedger`).
///
/// It reads the fields every person-keyed contract shares: the subject's numbers (the envelope's
/// `subject.stateId` and `subject.fbiNumber`, or a notification's `subjectStateId`), the time
/// (`occurredAt`), and the case a record belongs to (`payload.caseNumber` of a court's record,
/// `payload.caseId` of a supervision case's). Events that name people only inside their payload
/// (incidents, investigations, the person a contact was with) are for the stores that keep those
/// people to check, person by person, with ``SealingLedger/covers(stateId:fbiNumber:caseNumber:occurredAtMilliseconds:)``.
enum SealedRecordCheck {
    /// Whether an order recorded in `ledger` covers `event`. An event whose JSON does not parse
    /// or carries no subject or time is not covered here: the projection judges it as usual.
    static func covers(_ event: AdmittedEvent, in ledger: SealingLedger) throws -> Bool {
        let document: JSONValue
        if let parsed = event.document {
            document = parsed
        } else {
            do {
                document = try JSONValue(parsing: event.value)
            } catch {
                return false  // the projection refuses it with the parser's reason
            }
        }
        guard let occurredText = text(document["occurredAt"]), let occurredAt = RFC3339.parse(occurredText) else { return false }
        let subject = document["subject"]
        let stateId = text(subject?["stateId"]) ?? text(document["subjectStateId"])
        let fbiNumber = text(subject?["fbiNumber"])
        guard stateId != nil || fbiNumber != nil else { return false }
        let payload = document["payload"]
        let caseNumber = text(payload?["caseNumber"]) ?? text(payload?["caseId"])
        return try ledger.covers(
            stateId: stateId, fbiNumber: fbiNumber, caseNumber: caseNumber,
            occurredAtMilliseconds: SealingOrder.milliseconds(occurredAt))
    }

    private static func text(_ value: JSONValue?) -> String? {
        guard case .string(let text)? = value, !text.isEmpty else { return nil }
        return text
    }
}
