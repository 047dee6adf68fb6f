import Notifications
import ServiceKit

extension BusNotification {
    /// This notice (routed for `scope`) under an id no retracted notice has: a notice sent
    /// through a person link, retracted when the link went, and due again after a relink (or a
    /// bulletin withdrawn from an agency and delivered to it again) is a new notice, scoped by
    /// the id it follows, so that the outbox does not take it for the retracted one and a later
    /// retraction reaches it in turn. The same events give the same ids in a replay.
    /// `isRetracted` asks the rule's own store.
    func reissued(scope: String, isRetracted: (String) throws -> Bool) rethrows -> BusNotification {
        var reissued = self
        while try isRetracted(reissued.id) {
            reissued.id = BusNotification.id(
                sourceEventId: reissued.sourceEventId, rule: reissued.reason.rule, scope: RoutedScope.reissue(of: scope, after: reissued.id),
                recipient: reissued.recipient)
        }
        return reissued
    }
}
