import Contracts

/// What a notification was routed for (its scope: the supervision case an arrest matched, the
/// release a warrant check is about), which its id is derived from: the one definition of that
/// id (`BusNotification.id` uses it), and, for the runtime, whether a message waiting in the
/// outbox was routed for one of a listed-case order's cases (`SealingLedger.removeFromOutbox`).
///
/// The runtime reads the message's own JSON members (`id`, `sourceEventId`, `reason.rule`,
/// `recipient`): the notifications' module depends on this one, not the reverse.
public enum RoutedScope {
    /// A notification's id: a UUID-shaped digest of its source event, rule, scope and recipient
    /// (`kind:id`).
    public static func notificationId(sourceEventId: String, rule: String, scope: String, recipient: String) -> String {
        SHA256.derivedUUID("reentrybus.notification\u{0}\(sourceEventId.lowercased())\u{0}\(rule)\u{0}\(scope)\u{0}\(recipient)")
    }

    /// Whether the notification `id` was routed for `scope`: its id is the one the scope gives,
    /// or one of the ids a notice routed for it takes when it is sent again after a retraction
    /// (`"<scope> after <the id it follows>"`, the router's `reissued`), up to
    /// ``reissuesFollowed`` times.
    public static func isRouted(id: String, sourceEventId: String, rule: String, scope: String, recipient: String) -> Bool {
        var candidate = notificationId(sourceEventId: sourceEventId, rule: rule, scope: scope, recipient: recipient)
        for _ in 0...reissuesFollowed {
            if candidate == id { return true }
            candidate = notificationId(sourceEventId: sourceEventId, rule: rule, scope: reissue(of: scope, after: candidate), recipient: recipient)
        }
        return false
    }

    /// The scope of a notice routed for `scope` sent again after the notice `id` was retracted.
    public static func reissue(of scope: String, after id: String) -> String { "\(scope) after \(id)" }

    /// How many times a notice sent again after a retraction is recognised as routed for its
    /// scope (a link undone and made again that often for one arrest is beyond any real case).
    public static let reissuesFollowed = 16

    /// Whether `value` is a notification routed for any of `scopes`; false for anything else
    /// (another message, a value that does not decode).
    static func isNotification(_ value: [UInt8], routedForAnyOf scopes: [String]) -> Bool {
        guard !scopes.isEmpty, let members = try? EventCodec.decodeJSON(Members.self, from: value),
            let id = members.id, let source = members.sourceEventId, let rule = members.reason?.rule, let recipient = members.recipient
        else { return false }
        return scopes.contains { isRouted(id: id, sourceEventId: source, rule: rule, scope: $0, recipient: recipient) }
    }

    private struct Members: Decodable {
        struct Reason: Decodable {
            var rule: String?
        }

        var id: String?
        var sourceEventId: String?
        var reason: Reason?
        var recipient: String?
    }
}
