import Notifications
import ServiceKit

extension BusNotification {
    /// This notice (routed for `scope`) under an id no retracted notice has: a notice sent
    /// through a person link, retracted when the link went, and due again after a relink (or a
    /// bulletin withdrawn from an agency and delivered to it again) is a new notice, scoped by
    /// the id it follows, so that the outbox does not take it for the retracted one and a later
    /// retraction reaches it in turn. The same events give the same ids in a replay.
    /// `isRetracted` asks the rule's own store.
    ///
    /// At most ``RoutedScope/reissuesFollowed`` re-sends, the chain a sealing order follows
    /// (`RoutedScope.isRouted`): nil when this notice and every re-send up to that bound were
    /// retracted, for a re-send past it would be a notice no listed-case order finds. The
    /// caller sends nothing then (``RouterContext/reissued(_:scope:isRetracted:)`` reports it).
    func reissued(scope: String, isRetracted: (String) throws -> Bool) rethrows -> BusNotification? {
        var reissued = self
        for _ in 0..<RoutedScope.reissuesFollowed {
            guard try isRetracted(reissued.id) else { return reissued }
            reissued.id = BusNotification.id(
                sourceEventId: reissued.sourceEventId, rule: reissued.reason.rule, scope: RoutedScope.reissue(of: scope, after: reissued.id),
                recipient: reissued.recipient)
        }
        return try isRetracted(reissued.id) ? nil : reissued
    }
}

extension RouterContext {
    /// The counter of notices not sent again because they were retracted more often than a
    /// sealing order follows their re-sends (``BusNotification/reissued(scope:isRetracted:)``),
    /// by rule.
    static let reissuesExhaustedMetric = "reentrybus_reissues_exhausted_total"

    /// `notification` as ``BusNotification/reissued(scope:isRetracted:)`` gives it; when it
    /// gives none (retracted past the bound), counted in ``reissuesExhaustedMetric`` by rule and
    /// logged as a warning naming the rule and the first notice's id (no personal data) once the
    /// batch commits, and nil: the rule sends nothing and records no delivery. A link undone and
    /// made again that often, or a bulletin withdrawn and delivered that often, is for someone
    /// to look at; the event that caused it is applied (its other effects stand).
    func reissued(_ notification: BusNotification, scope: String, isRetracted: (String) throws -> Bool) throws -> BusNotification? {
        if let reissued = try notification.reissued(scope: scope, isRetracted: isRetracted) { return reissued }
        transaction.countOnCommit(Self.reissuesExhaustedMetric, dimensions: [(name: "rule", value: notification.reason.rule)])
        transaction.warnOnCommit(ProjectionWarning(
            "a notice retracted more often than a sealing order follows its re-sends is not sent again",
            metadata: ["rule": notification.reason.rule, "notification": notification.id,
                       "re-sends followed": "\(RoutedScope.reissuesFollowed)"]))
        return nil
    }
}
