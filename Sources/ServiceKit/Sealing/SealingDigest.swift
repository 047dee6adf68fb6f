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

    private static func digest(_ text: String) -> String {
        SHA256.hex(domain + text)
    }
}
