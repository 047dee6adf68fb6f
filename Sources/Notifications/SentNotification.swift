import ServiceKit
import Storage

/// What a service remembers of a notification it sent (`notifications_sent`): enough to send
/// none twice, to find the ones a sealing order covers and to forget them on time — never the
/// text. The notification itself went to `bus.notifications` and lives in the inbox; a copy of
/// every body here would keep personal data (names, addresses, charges) in one more place, and
/// made up most of the router's database (about 1.3 KB of some 2 KB per notification).
///
/// A listed-cases sealing order judges a sent notification by what it was routed for
/// (``isRouted(forScope:)``: the id derives from the case or release) and by the agency records
/// it derives from (``derivesFrom``), which is why those are kept.
public struct SentNotification: Sendable, Hashable {
    public var id: String
    /// `kind:id`.
    public var recipient: String
    public var priority: String
    public var rule: String
    public var sourceEventId: String
    /// The records of agencies the notification derives from (release, warrant and detainer
    /// ids; see ``derivations(of:)``), in the order the notification names them.
    public var derivesFrom: [MatchedIdentifier]
    /// `SealingDigest.stateId` of the notification's `subjectStateId` (never the number).
    public var subjectDigest: String?

    /// The names of the matched identifiers kept in ``derivesFrom``: record ids of agencies,
    /// never a person's identifiers.
    public static let derivationNames: Set<String> = ["releaseId", "warrantId", "detainerId"]
    /// A fact labelled so names a release (`R-1 from Jackson County Detention Center`); its
    /// id is kept as a derivation named ``releaseFact``.
    public static let releaseFact = "release"

    public init(_ notification: BusNotification) {
        id = notification.id
        recipient = notification.recipient.description
        priority = notification.priority.rawValue
        rule = notification.reason.rule
        sourceEventId = notification.sourceEventId
        derivesFrom = Self.derivations(of: notification)
        subjectDigest = notification.subjectStateId.flatMap { $0.isEmpty ? nil : SealingDigest.stateId($0) }
    }

    /// Whether it is about the person with state ID `stateId`.
    public func isAbout(stateId: String) -> Bool {
        subjectDigest != nil && subjectDigest == SealingDigest.stateId(stateId)
    }

    /// Whether it was routed for `scope` (as ``BusNotification/isRouted(forScope:)``).
    public func isRouted(forScope scope: String) -> Bool {
        RoutedScope.isRouted(id: id, sourceEventId: sourceEventId, rule: rule, scope: scope, recipient: recipient)
    }

    /// Whether it derives from the agency record `value` named `name` (`warrantId`, `release`, …).
    public func derives(from name: String, _ value: String) -> Bool {
        derivesFrom.contains(MatchedIdentifier(name, value))
    }

    /// The identifiers of ``derivationNames`` the notification matched, then the release each
    /// ``releaseFact`` names.
    static func derivations(of notification: BusNotification) -> [MatchedIdentifier] {
        var kept = notification.reason.matched.filter { derivationNames.contains($0.name) }
        for fact in notification.facts where fact.label == releaseFact {
            guard let range = fact.value.range(of: " from ") else { continue }
            kept.append(MatchedIdentifier(releaseFact, String(fact.value[..<range.lowerBound])))
        }
        return kept.filter { !$0.value.contains("\t") && !$0.value.contains("\n") }
    }

    // MARK: Storage

    /// The columns a row is read from.
    static let columns = "id, recipient, priority, rule, source_event_id, derives_from, subject_digest"

    init(row: StorageRow) throws {
        id = try row.get("id")
        recipient = try row.get("recipient")
        priority = try row.get("priority")
        rule = try row.get("rule")
        sourceEventId = try row.get("source_event_id")
        derivesFrom = Self.decode(try row.get("derives_from", as: String?.self))
        subjectDigest = try row.get("subject_digest", as: String?.self)
    }

    /// `derivesFrom` as stored: `name<TAB>value` lines (values with neither are all kept).
    static func encode(_ derivations: [MatchedIdentifier]) -> SQLValue {
        derivations.isEmpty ? .null : .text(derivations.map { "\($0.name)\t\($0.value)" }.joined(separator: "\n"))
    }

    static func decode(_ text: String?) -> [MatchedIdentifier] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            return parts.count == 2 ? MatchedIdentifier(String(parts[0]), String(parts[1])) : nil
        }
    }
}
