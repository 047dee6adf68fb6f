/// What the bus keeps of a sealed person's numbers and listed cases so that it can recognise
/// records about them that arrive after the order: a SHA-256 digest, never the numbers.
///
/// A digest is not encryption: someone holding a service's database and a candidate state ID
/// can test it. It keeps the numbers out of sight of anyone browsing the tables and out of
/// every search for them, which is what a sealed record needs; the order itself stays on
/// `records.sealing`, where the broker's ACLs protect it.
public enum SealingDigest {
    private static let domain = "reentrybus/sealing/v1\u{0}"

    /// The digest of a person known by state ID.
    public static func stateId(_ stateId: String) -> String { digest("sid:\(stateId)") }

    /// The digest of a person known by FBI number.
    public static func fbiNumber(_ fbiNumber: String) -> String { digest("fbi:\(fbiNumber)") }

    /// The digest a message or a stored notification about one person is filed under: the
    /// state ID's, else (a person known by no state ID) the FBI number's; nil when neither is
    /// given.
    public static func subject(stateId: String?, fbiNumber: String?) -> String? {
        if let stateId, !stateId.isEmpty { return Self.stateId(stateId) }
        if let fbiNumber, !fbiNumber.isEmpty { return Self.fbiNumber(fbiNumber) }
        return nil
    }

    /// The digests rows about a person known by these numbers may be filed under (see
    /// ``subject(stateId:fbiNumber:)``), sorted, without repeats or empty numbers.
    public static func subjects(stateIds: some Sequence<String>, fbiNumbers: some Sequence<String>) -> [String] {
        Set(stateIds.filter { !$0.isEmpty }.map(stateId(_:)) + fbiNumbers.filter { !$0.isEmpty }.map(fbiNumber(_:))).sorted()
    }

    /// The digest of a court case number or supervision case id.
    public static func caseNumber(_ caseNumber: String) -> String { digest("case:\(caseNumber)") }

    /// The digest of a record an order removed, by its kind (`warrant`) and id: what a record
    /// resting on it (a detainer lodged on the warrant) is recognised by.
    public static func record(_ kind: String, _ id: String) -> String { digest("record:\(kind):\(id)") }

    /// A kind of a person's number (a state ID and an FBI number of the same text are
    /// different numbers).
    public enum NumberKind: String, Sendable, CaseIterable {
        case stateId
        case fbiNumber
    }

    /// The digest of a warrant an order removed, with one of its person's numbers: what a
    /// detainer lodged on the warrant naming that number is recognised by
    /// (`SealingLedger.noteRemoved(warrant:stateIds:fbiNumbers:orderId:orderedAtMilliseconds:)`).
    /// Another person's warrant of the same id (another court's) has other digests.
    public static func warrant(_ warrantId: String, of kind: NumberKind, _ number: String) -> String {
        digest("warrant-of-person:\(kind.rawValue)\u{0}\(number)\u{0}\(warrantId)")
    }

    /// The digest of a warrant an order removed, for an event about it naming no number:
    /// nothing in one says whose warrant it is.
    public static func warrant(unnumbered warrantId: String) -> String {
        digest("warrant-unnumbered:\(warrantId)")
    }

    /// The digest of a warrant an order removed whose person was known by no number of `kind`:
    /// what an event about it naming only a number of that kind is recognised by.
    public static func warrant(_ warrantId: String, unknownNumberKind kind: NumberKind) -> String {
        digest("warrant-unknown-number-kind:\(kind.rawValue)\u{0}\(warrantId)")
    }

    private static func digest(_ text: String) -> String {
        SHA256.hex(domain + text)
    }
}
