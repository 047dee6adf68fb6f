import Contracts
import Notifications
import Policy

/// One of a caller's notifications as they may see it: the item document every channel sends
/// (an inbox item, a webhook's body, a stream event's data), made by one function so the three
/// cannot drift apart.
struct DisclosedNotification: Sendable {
    let notification: BusNotification
    let redaction: Redaction
    /// `{"notification": …, "withheld": […], "notices": […]}` (notices only when there are some).
    let document: JSONValue
}

extension Gateway {
    /// `notification` redacted for `requester` by the access policy, with what the data says of
    /// its disclosure (a consent in force, a Part 23 subscription), and the item document made of
    /// it. Every output path (inbox, pages, webhooks, stream) calls this.
    ///
    /// - Throws: 503 when the disclosure context cannot be read (nothing is shown then).
    ///
    /// A mention's digest (`NotificationMention`: what a sealing order finds a notification
    /// naming someone besides its subject by) leaves every document: it is an unkeyed digest of
    /// a state ID, which a recipient could reverse by trying every number.
    func redact(_ notification: BusNotification, for requester: Requester) async throws(Problem) -> (redaction: Redaction, document: JSONValue) {
        try await redact([notification], for: requester)[0]
    }

    /// `notifications` redacted for `requester`, in their order, as `redact(_:for:)` does each:
    /// their disclosure contexts are read together (`DisclosureContextSource.contexts`), once
    /// for a page or a pushed batch rather than once per notification.
    ///
    /// - Throws: 503 when the disclosure context cannot be read (nothing is shown then).
    func redact(_ notifications: [BusNotification], for requester: Requester) async throws(Problem) -> [(redaction: Redaction, document: JSONValue)] {
        guard !notifications.isEmpty else { return [] }
        let contexts: [DisclosureContext]
        do {
            contexts = try await disclosureContext.contexts(for: requester, notifications: notifications)
        } catch {
            logger.error("Disclosure context unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("Whether this may be shown cannot be decided right now; nothing was disclosed.")
        }
        // One context a notification, in their order: fewer would drop the rest of the page
        // silently (a follower would then move past them and never push them), so the page is
        // refused instead, as when the contexts cannot be read.
        guard contexts.count == notifications.count else {
            logger.error("Disclosure contexts do not match the notifications", metadata: [
                "notifications": "\(notifications.count)", "contexts": "\(contexts.count)", "source": "\(type(of: disclosureContext))",
            ])
            throw Problem.unavailable("Whether this may be shown cannot be decided right now; nothing was disclosed.")
        }
        var redacted: [(redaction: Redaction, document: JSONValue)] = []
        for (notification, context) in zip(notifications, contexts) {
            redacted.append(try redact(notification, for: requester, context: context))
        }
        return redacted
    }

    /// `notification` redacted for `requester` in `context`, and its item document.
    private func redact(
        _ notification: BusNotification, for requester: Requester, context: DisclosureContext
    ) throws(Problem) -> (redaction: Redaction, document: JSONValue) {
        var shown = notification
        shown.reason.matched.removeAll { $0.name == NotificationMention.identifier }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: shown.encoded(), limits: JSONDecodingLimits(maxDocumentBytes: 1 << 20))
        } catch {
            throw Problem(.internalServerError, type: "/problems/internal", title: "Internal error")
        }
        let redaction = disclosure.redact(
            value, eventType: BusNotification.eventType, schemaVersion: BusNotification.schemaVersion, for: requester, context: context)
        var item: [String: JSONValue] = ["notification": redaction.value, "withheld": GatewayHandlers.document(redaction.withheld)]
        if !redaction.notices.isEmpty { item["notices"] = GatewayHandlers.document(redaction.notices) }
        return (redaction, .object(item))
    }

    /// `notification` redacted for `requester` (`redact(_:for:)`).
    func disclose(_ notification: BusNotification, to requester: Requester) async throws(Problem) -> DisclosedNotification {
        let (redaction, document) = try await redact(notification, for: requester)
        return DisclosedNotification(notification: notification, redaction: redaction, document: document)
    }

    /// `notifications` redacted for `requester` (`redact(_:for:)` of them all).
    func disclose(_ notifications: [BusNotification], to requester: Requester) async throws(Problem) -> [DisclosedNotification] {
        let redacted = try await redact(notifications, for: requester)
        return zip(notifications, redacted).map { DisclosedNotification(notification: $0, redaction: $1.redaction, document: $1.document) }
    }
}
