import Contracts
import Foundation

/// How a contact notification (rules `supervisee-police-contact` and `subscription-contacts`)
/// names the person police met when that was not the subject (`payload.personContacted`: a
/// household member or an associate), and how that person is taken out of it again when a
/// sealing order covers them: the one wording, written by the router and read back by the inbox.
///
/// The `met` fact reads `Marcus Reyes, household member of Darnell Reyes (MO1234567)`, and the
/// summary `Police contact (domestic disturbance) with <met> at <place>`. Without the person
/// it reads `a household member (removed under a court order) of Darnell Reyes (MO1234567)`:
/// the subject's officer keeps the notice of the contact, not whom police met.
public enum ContactMention {
    /// The label of the fact naming whom police met.
    public static let metLabel = "met"
    /// What stands where the person was.
    public static let removed = "removed under a court order"

    /// The `met` fact for a contact with `name` (nil: the contact names the person by numbers
    /// only), who is the subject's `relation`, the subject written as `subject`.
    public static func met(name: String?, relation: RelationToSubject, subject: String) -> String {
        "\(name ?? unnamed), \(words(relation)) of \(subject)"
    }

    /// The `met` fact once the person met is removed (by the router, for a contact it read after
    /// the order; by the inbox, for a notification it holds).
    public static func withdrawn(relation: RelationToSubject, subject: String) -> String {
        let words = words(relation)
        let article = words.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return "\(article) \(words) (\(removed)) of \(subject)"
    }

    /// What a contact with a person of no given name is written with.
    static let unnamed = "someone"

    private static func words(_ relation: RelationToSubject) -> String {
        relation.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// `notification` without the person police met: the `met` fact and the summary say
    /// ``withdrawn(relation:subject:)``, every other place their written name appears (the
    /// explanation, a fact such as the police's own summary, what matched; not inside the
    /// subject's own written name) says ``removed``, the
    /// household member a case listed them as (`householdMember` among what matched) is
    /// replaced by ``removed``, and `mentions` (their numbers, see `NotificationMention`) are
    /// dropped from what matched.
    ///
    /// Nil when the notification is not written as this type writes a contact with someone
    /// else (no `met` fact of that shape, a summary not built from it), or when the person's
    /// written name or one of `mentions`' values still appears afterwards: such a notification
    /// cannot be rewritten safely, and the caller removes it instead.
    ///
    /// Pure: the same notification and mentions give the same result, so a notification the
    /// inbox rewrites when the order arrives and one it rewrites on arrival after the order
    /// (a late delivery, a replay) are the same bytes.
    public static func withdrawing(_ mentions: [MatchedIdentifier], from notification: BusNotification) -> BusNotification? {
        guard let index = notification.facts.firstIndex(where: { $0.label == metLabel }),
              let written = parse(notification.facts[index].value)
        else { return nil }
        let old = notification.facts[index].value
        let new = withdrawn(relation: written.relation, subject: written.subject)
        guard notification.summary.contains(old) else { return nil }
        let name = written.name == unnamed ? nil : written.name
        // The subject's own written name is left alone wherever it appears (a household member
        // may share the family name, and be named by it alone).
        let subject = written.subject
        var protected = [subject]
        if let open = subject.range(of: " (", options: .backwards), subject.hasSuffix(")") {
            protected.append(String(subject[..<open.lowerBound]))  // "Darnell Reyes" of "Darnell Reyes (MO1234567)"
        }
        func scrub(_ text: String) -> String {
            guard let name, !name.isEmpty else { return text }
            return Self.outside(protected, of: text) { $0.replacingOccurrences(of: name, with: removed, options: [.caseInsensitive]) }
        }
        var rewritten = notification
        rewritten.summary = scrub(notification.summary.replacingOccurrences(of: old, with: new))
        rewritten.reason.explanation = scrub(notification.reason.explanation)
        rewritten.facts = notification.facts.enumerated().map { offset, fact in
            NotificationFact(fact.label, offset == index ? new : scrub(fact.value))
        }
        rewritten.reason.matched = notification.reason.matched.compactMap { identifier in
            if mentions.contains(identifier) { return nil }
            if identifier.name == householdMemberIdentifier { return MatchedIdentifier(identifier.name, removed) }
            return MatchedIdentifier(identifier.name, scrub(identifier.value))
        }
        let texts = ([rewritten.summary, rewritten.reason.explanation] + rewritten.facts.flatMap { [$0.label, $0.value] }
            + rewritten.reason.matched.flatMap { [$0.name, $0.value] }).map { text in Self.outside(protected, of: text) { _ in "" } }
        let left = (name.map { [$0] } ?? []) + mentions.map(\.value).filter { !$0.isEmpty }
        guard !texts.contains(where: { text in left.contains { text.range(of: $0, options: .caseInsensitive) != nil } }) else { return nil }
        return rewritten
    }

    /// `text` with `change` applied to what lies outside every occurrence of `protected`'s
    /// strings (the first of them first).
    private static func outside(_ protected: [String], of text: String, _ change: (String) -> String) -> String {
        guard let first = protected.first(where: { !$0.isEmpty }) else { return change(text) }
        let rest = Array(protected.drop { $0 != first }.dropFirst())
        return text.components(separatedBy: first).map { outside(rest, of: $0, change) }.joined(separator: first)
    }

    /// The name `reason.matched` gives the household member a contact matched on (the router's
    /// `household-member` ground): the case's list names them.
    public static let householdMemberIdentifier = "householdMember"

    /// The name, relation and subject of a `met` fact written by ``met(name:relation:subject:)``.
    private static func parse(_ met: String) -> (name: String, relation: RelationToSubject, subject: String)? {
        for relation in [RelationToSubject.householdMember, .associate] {
            guard let marker = met.range(of: ", \(words(relation)) of ") else { continue }
            let name = String(met[..<marker.lowerBound])
            guard !name.isEmpty else { return nil }
            return (name, relation, String(met[marker.upperBound...]))
        }
        return nil
    }
}
