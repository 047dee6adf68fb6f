/// The Kafka key of an event on a topic keyed by person (`police.arrests`, …) whose contract
/// version lets the subject lack a state ID (`stateIdOptional`, issue 19).
///
/// Why this form: all events about one person should share a partition, and the state ID is
/// what every agency agrees on, so it stays the key whenever the subject has one (such an event
/// is keyed exactly as under version 1). Without it, the key is the strongest other identifier,
/// prefixed by its kind and scoped as the person index scopes it, so that two agencies' equal
/// numbers never collide and a key can never be mistaken for a state ID (which has no colon):
///
/// | subject carries (first found) | key |
/// |---|---|
/// | `stateId` | `MO1234567` |
/// | `fbiNumber` (national) | `fbi:123456AB9` |
/// | `docNumber` (within a state: the source agency id's state) | `doc:MO:1198734` |
/// | `bookingNumber` (within the source agency, the jail that issued it) | `booking:MO-JACKSON-SO:2025-005120` |
/// | `rmsNumber` (within the source agency) | `rms:MO-KCPD:KC-25-118832` |
///
/// The order goes from the widest scope to the narrowest, so the events of one person from
/// different agencies share a key as often as they can. Agency ids have no colon, so the key
/// splits unambiguously at its first two colons whatever the number holds.
public enum SubjectKey {
    /// The rule in one line, for the generated schemas' descriptions.
    public static let rule =
        "subject.stateId when present, else fbi:<fbiNumber>, doc:<state>:<docNumber>, booking:<source agency>:<bookingNumber> or rms:<source agency>:<rmsNumber>, the first the subject carries"

    /// The key of an event about `subject` from `agencyId`; nil when the subject carries no
    /// identifier (the contract refuses such an event).
    public static func key(
        stateId: String?, fbiNumber: String?, docNumber: String?, bookingNumber: String?, rmsNumber: String?, agencyId: String
    ) -> String? {
        func present(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        if let stateId = present(stateId) { return stateId }
        if let fbi = present(fbiNumber) { return "fbi:\(fbi)" }
        if let doc = present(docNumber) { return "doc:\(agencyId.prefix { $0 != "-" }):\(doc)" }
        if let booking = present(bookingNumber) { return "booking:\(agencyId):\(booking)" }
        if let rms = present(rmsNumber) { return "rms:\(agencyId):\(rms)" }
        return nil
    }

    /// The number a key names: the key itself for a state ID, else what follows its kind and
    /// scope (`fbi:X`, `doc:MO:X`, `booking:MO-JACKSON-SO:X` give `X`; agency ids have no colon).
    static func number(in key: String) -> Substring {
        let parts = key.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        switch parts.first {
        case "fbi" where parts.count == 2: return parts[1]
        case "doc", "booking", "rms": return parts.count == 3 ? parts[2] : Substring(key)
        default: return Substring(key)
        }
    }

    /// The subject's field a key was taken from (`subject.fbiNumber` for `fbi:…`), or nil for
    /// a key that is the state ID itself.
    static func field(of key: String) -> String? {
        switch key.split(separator: ":", maxSplits: 1).first {
        case "fbi" where key.contains(":"): "subject.fbiNumber"
        case "doc" where key.contains(":"): "subject.docNumber"
        case "booking" where key.contains(":"): "subject.bookingNumber"
        case "rms" where key.contains(":"): "subject.rmsNumber"
        default: nil
        }
    }

    /// The key of an event with this subject from this source.
    public static func key(_ subject: SubjectIdentifiers?, source: SourceAgency) -> String? {
        guard let subject else { return nil }
        return key(stateId: subject.stateId, fbiNumber: subject.fbiNumber, docNumber: subject.docNumber,
                   bookingNumber: subject.bookingNumber, rmsNumber: subject.rmsNumber, agencyId: source.agencyId)
    }

    /// The key of a parsed event (as validated: `subject` and `source.agencyId` present).
    static func key(of document: JSONValue) -> String? {
        func text(_ path: [String]) -> String? {
            if case .string(let value)? = document.value(atDottedPath: path) { value } else { nil }
        }
        guard let agencyId = text(["source", "agencyId"]) else { return nil }
        return key(stateId: text(["subject", "stateId"]), fbiNumber: text(["subject", "fbiNumber"]), docNumber: text(["subject", "docNumber"]),
                   bookingNumber: text(["subject", "bookingNumber"]), rmsNumber: text(["subject", "rmsNumber"]), agencyId: agencyId)
    }
}
