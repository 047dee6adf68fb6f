import Contracts

extension BusNotification {
    /// The stable JSON form (sorted keys, RFC 3339 instants, slashes unescaped), written field
    /// by field: byte for byte what `EventCodec.encodeJSON` gives for the same value (a test
    /// compares them over every character class), at a fraction of its cost. Every notification
    /// a service sends is encoded once, inside its batch's transaction; Foundation's
    /// `JSONEncoder` (a keyed container per object, sorting at run time, a closure per date)
    /// was the largest single cost of a replay after validation.
    ///
    /// A new stored property must be added here too; the round-trip test fails until it is.
    func writtenJSON() -> [UInt8] {
        var out = JSONBytes()
        out.bytes.reserveCapacity(1_024)
        out.raw("{\"facts\":[")
        for (index, fact) in facts.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"label\":"); out.string(fact.label)
            out.raw(",\"value\":"); out.string(fact.value)
            out.raw("}")
        }
        out.raw("],\"id\":"); out.string(id)
        out.raw(",\"occurredAt\":"); out.string(EventCodec.formatInstant(occurredAt))
        out.raw(",\"priority\":"); out.string(priority.rawValue)
        out.raw(",\"reason\":{\"explanation\":"); out.string(reason.explanation)
        out.raw(",\"matched\":[")
        for (index, matched) in reason.matched.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"name\":"); out.string(matched.name)
            out.raw(",\"value\":"); out.string(matched.value)
            out.raw("}")
        }
        out.raw("],\"rule\":"); out.string(reason.rule)
        out.raw("},\"recipient\":"); out.string(recipient.description)
        if let recipientAgencyId {
            out.raw(",\"recipientAgencyId\":"); out.string(recipientAgencyId)
        }
        out.raw(",\"sourceEventId\":"); out.string(sourceEventId)
        out.raw(",\"sourceEventType\":"); out.string(sourceEventType)
        if let subjectStateId {
            out.raw(",\"subjectStateId\":"); out.string(subjectStateId)
        }
        out.raw(",\"summary\":"); out.string(summary)
        out.raw("}")
        return out.bytes
    }
}

/// JSON text as bytes, strings escaped as Foundation's `JSONEncoder` escapes them
/// (`EventCodec.appendJSONString`).
struct JSONBytes {
    var bytes: [UInt8] = []

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) {
        EventCodec.appendJSONString(text, to: &bytes)
    }
}
