import Contracts
import Kafka
import ServiceKit

extension NotificationMention {
    /// A notification `message` waiting in a service's outbox without the people filed under
    /// `digests` that it names besides its subject (`ContactMention.withdrawing(_:from:)`: the
    /// bytes the inbox would store for it, rewriting it on arrival or once stored), signed again
    /// with `key`; its other headers as they were. Nil when it is not a notification, names none
    /// of them, or cannot be rewritten safely: the runtime then removes it
    /// (`EventProjection.withdrawingMentions(of:from:)`).
    public static func withdrawing(_ digests: Set<String>, fromQueued message: OutgoingMessage, signedWith key: NotificationSigningKey) -> OutgoingMessage? {
        guard message.headers.contains(where: { $0.key == EventHeaders.eventType && $0.stringValue == BusNotification.eventType }),
              let notification = try? BusNotification.decode(message.value)
        else { return nil }
        let covered = mentions(in: notification.reason.matched).filter { digests.contains(digest($0)) }
        guard !covered.isEmpty, let rewritten = ContactMention.withdrawing(covered, from: notification),
              let body = try? rewritten.encoded()
        else { return nil }
        var queued = message
        queued.value = body
        queued.headers = message.headers.filter { $0.key != NotificationSignature.signatureHeader && $0.key != NotificationSignature.keyIdHeader }
            + NotificationSignature.headers(signing: body, with: key)
        return queued
    }
}
