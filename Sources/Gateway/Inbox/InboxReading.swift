import Audit
import Contracts
import Foundation
import Kafka
import Notifications
import Policy

/// One notification as a caller may see it: the access policy's redaction of it, what was
/// withheld and why, and the notices that travel with it. Holds nothing the caller may not see.
public struct VisibleNotification: Sendable {
    /// The notification's id (a `public` field: always shown).
    public var id: String
    /// The notification's JSON without the withheld fields.
    public var value: JSONValue
    public var withheld: [WithheldField]
    public var notices: [DisclosureNotice]
    /// The document every channel sends for it (an inbox item, a webhook's body, a stream
    /// event's data): `{"notification", "withheld", "notices"?}`.
    public var document: JSONValue
    /// Who acknowledged it and when (accepted by the inbox), oldest first; filled by the pages
    /// that show the inbox (`inboxPageNewestFirst`), empty elsewhere.
    public var acknowledgements: [EscalationStore.Acknowledgement] = []
}

/// A page of a caller's inbox (oldest first, or newest first for the pages that say so) and
/// where the next one starts.
public struct InboxPage: Sendable {
    public var items: [VisibleNotification]
    /// The position after the last row read (shown or not); nil when the page was short.
    public var next: InboxCursor?
}

/// The inbox as every output path reads it (`GET /v1/inbox`, `POST /v1/notifications/{id}/ack`
/// and the web UI's pages): whose notifications they are, the redaction, and the audit entry
/// recorded before anything is returned. One implementation, so the API and the pages cannot
/// disagree on what a caller sees.
extension Gateway {
    /// A page of `caller`'s notifications after `cursor`, redacted; the disclosure is recorded
    /// (when anything is shown) before this returns.
    ///
    /// - Throws: `Problem` 503 when the inbox cannot be read or the disclosure not recorded.
    public func inboxPage(for caller: Caller, after cursor: InboxCursor?, limit: Int, requestId: String) async throws(Problem) -> InboxPage {
        let recipients = InboxAccess.recipients(of: caller).map(\.description)
        let rows: [(position: InboxCursor, notification: BusNotification)]
        let requester: Requester
        do {
            rows = try await notifications.page(for: recipients, after: cursor, limit: limit)
            requester = try await self.requester(for: caller)
        } catch {
            logger.error("Inbox unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The inbox cannot be read right now.")
        }
        return try await disclosedPage(rows, limit: limit, caller: caller, requester: requester, requestId: requestId)
    }

    /// A page of `caller`'s notifications newest first, before `cursor` (the previous page's
    /// `next`), redacted, each with the acknowledgements the inbox accepted; the disclosure is
    /// recorded as `inboxPage`'s. What the web UI's inbox shows.
    ///
    /// - Throws: `Problem` 503 as `inboxPage`.
    public func inboxPageNewestFirst(for caller: Caller, before cursor: InboxCursor?, limit: Int, requestId: String) async throws(Problem) -> InboxPage {
        let recipients = InboxAccess.recipients(of: caller).map(\.description)
        let rows: [(position: InboxCursor, notification: BusNotification)]
        let requester: Requester
        let acknowledgements: [String: [EscalationStore.Acknowledgement]]
        do {
            rows = try await notifications.pageNewestFirst(for: recipients, before: cursor, limit: limit)
            requester = try await self.requester(for: caller)
            acknowledgements = try await notifications.acknowledgements(of: rows.map(\.notification.id))
        } catch {
            logger.error("Inbox unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The inbox cannot be read right now.")
        }
        var page = try await disclosedPage(rows, limit: limit, caller: caller, requester: requester, requestId: requestId)
        for index in page.items.indices { page.items[index].acknowledgements = acknowledgements[page.items[index].id] ?? [] }
        return page
    }

    /// Where a live stream of `caller`'s notifications starts so that it brings exactly what a
    /// page read after this call cannot show: the arrival position of their last notification
    /// now (nil: from the beginning). Read it before the page; a notification stored between
    /// the two is then both shown and streamed, which the page's script recognises by its id.
    ///
    /// - Throws: `Problem` 503 when the inbox cannot be read.
    public func latestArrival(for caller: Caller) async throws(Problem) -> ArrivalCursor? {
        do {
            return try await notifications.latestArrival(for: InboxAccess.recipients(of: caller).map(\.description))
        } catch {
            logger.error("Inbox unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The inbox cannot be read right now.")
        }
    }

    /// `rows` as `caller` may see them (only theirs, redacted), the disclosure recorded.
    private func disclosedPage(
        _ rows: [(position: InboxCursor, notification: BusNotification)], limit: Int, caller: Caller, requester: Requester, requestId: String
    ) async throws(Problem) -> InboxPage {
        let shown = rows.map(\.notification).filter { InboxAccess.isCallers($0, caller: caller) }
        let seen = try await visible(shown, to: requester)
        let items = seen.map(\.item)
        let redactions = seen.map(\.redaction)
        // The next page starts after the last row read, shown or not; none when the page was short.
        let next = limit > 0 && rows.count == limit ? rows[rows.count - 1].position : nil
        if !items.isEmpty {
            try await record(Disclosure(
                redactions: redactions, requester: requester, requestId: requestId, channel: .api,
                resource: BusNotification.eventType, at: now()))
        }
        return InboxPage(items: items, next: next)
    }

    /// One of `caller`'s notifications by id, redacted; the disclosure is recorded before this
    /// returns.
    ///
    /// - Throws: `Problem.notFound` when `id` is not a UUID, not in the inbox, or not the
    ///   caller's (the same answer for all three); 503 as `inboxPage`.
    public func notification(id raw: String, for caller: Caller, requestId: String) async throws(Problem) -> VisibleNotification {
        let requester = try await placedRequester(for: caller)
        let notification = try await callersNotification(id: raw, caller: caller, requester: requester, requestId: requestId)
        let (visibleItem, redaction) = try await visible(notification, to: requester)
        var item = visibleItem
        do {
            item.acknowledgements = try await notifications.acknowledgements(of: [notification.id])[notification.id] ?? []
        } catch {
            logger.error("Inbox unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The inbox cannot be read right now.")
        }
        try await record(Disclosure(
            redactions: [redaction], requester: requester, requestId: requestId, channel: .api,
            resource: BusNotification.eventType, at: now()))
        return item
    }

    /// Acknowledges one of `caller`'s notifications (as its recipient, whom the inbox accepts
    /// acknowledgements from) on `bus.notification-acks`; returns once the broker stored it.
    ///
    /// - Throws: 403 when the caller holds only roles that do not act on notifications (an
    ///   agency's system, an auditor): an acknowledgement stops an urgent notification's
    ///   escalation, so a token that may read a duty desk's notifications for another purpose
    ///   must not silence it. `Problem.notFound` as `notification(id:for:requestId:)`; 503
    ///   when the inbox cannot be read or the broker did not store it.
    public func acknowledge(
        notificationId raw: String, note: String?, by caller: Caller, requestId: String
    ) async throws(Problem) -> NotificationAcknowledgement {
        guard caller.roles.contains(where: { !Self.rolesThatDoNotAcknowledge.contains($0) }) else {
            throw Problem.forbidden("Acknowledging needs a role that acts on notifications; an integrator's or an auditor's token may not.")
        }
        let notification = try await callersNotification(
            id: raw, caller: caller, requester: try await placedRequester(for: caller), requestId: requestId)
        // For the recipient (the inbox accepts it from no one else), naming who acted for it.
        let ack = NotificationAcknowledgement(notificationId: notification.id, by: notification.recipient, at: now(), note: note, actor: caller.subject)
        let headers = [
            EventHeaders.eventType: NotificationAcknowledgement.eventType,
            EventHeaders.schemaVersion: String(ack.schemaVersion),
            EventHeaders.eventId: ack.id, EventHeaders.contentType: EventHeaders.json,
        ]
        let topic = NotificationAcknowledgement.topic
        do {
            _ = try EventValidator(catalog: catalog).validateMessage(
                topic: topic, key: Array(ack.notificationId.utf8), value: ack.encoded(), headers: headers)
        } catch {
            throw Problem.badRequest("The acknowledgement breaks its contract: \(error.description)")
        }
        let message = KafkaProducerMessage(
            topic: topic, key: Array(ack.notificationId.utf8), value: ack.encoded(),
            headers: headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, value: $0.value) })
        let failures = await sink.deliver([message])
        guard failures.isEmpty else {
            logger.warning("Broker did not store an acknowledgement", metadata: ["reason": "\(failures[0] ?? "")"])
            throw Problem.unavailable("The acknowledgement was not stored; retry.")
        }
        return ack
    }

    /// Roles that read notifications for another purpose than acting on them.
    static let rolesThatDoNotAcknowledge: Set<Role> = [.integrator, .auditor]

    /// The caller as the policy places them: the agency kind from the token, else from the
    /// agency directory the inbox keeps (unknown: `public` fields only).
    func requester(for caller: Caller) async throws -> Requester {
        var directoryKind: AgencyKind?
        if caller.agencyKind == nil { directoryKind = try await notifications.agencyKind(of: caller.agencyId) }
        return disclosure.requester(for: caller, directoryKind: directoryKind)
    }

    /// `requester(for:)`, or 503 when the agency directory cannot be read.
    func placedRequester(for caller: Caller) async throws(Problem) -> Requester {
        do {
            return try await requester(for: caller)
        } catch {
            logger.error("Agency directory unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The agency directory cannot be read right now.")
        }
    }

    /// The notification `raw` names when it is the caller's. Not a UUID (a traversal, an
    /// injection, a typo), not held, someone else's: the same 404. Someone else's is also a
    /// refusal the ledger records (`not_addressed_to_caller`, naming the person), before the
    /// 404 goes out.
    func callersNotification(id raw: String, caller: Caller, requester: Requester, requestId: String) async throws(Problem) -> BusNotification {
        guard raw.utf8.count == 36, UUID(uuidString: raw) != nil else { throw Problem.notFound }
        let notification: BusNotification?
        do {
            notification = try await notifications.notification(id: raw.lowercased())
        } catch {
            logger.error("Inbox unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The inbox cannot be read right now.")
        }
        guard let notification else { throw Problem.notFound }
        guard InboxAccess.isCallers(notification, caller: caller) else {
            try await record(.denial(
                requester: requester, requestId: requestId, resource: BusNotification.eventType, reason: .notAddressedToCaller,
                persons: notification.subjectStateId.map { [PersonIdentifier(identifier: "stateId", value: $0)] } ?? [], at: now()))
            throw Problem.notFound
        }
        return notification
    }

    /// `notification` as `requester` may see it, and the redaction to record: the redaction of
    /// every channel (`redact(_:for:)`).
    func visible(_ notification: BusNotification, to requester: Requester) async throws(Problem) -> (VisibleNotification, Redaction) {
        let seen = try await visible([notification], to: requester)[0]
        return (seen.item, seen.redaction)
    }

    /// `notifications` as `visible(_:to:)` makes each, their disclosure contexts read together.
    func visible(_ notifications: [BusNotification], to requester: Requester) async throws(Problem) -> [(item: VisibleNotification, redaction: Redaction)] {
        let redacted = try await redact(notifications, for: requester)
        return zip(notifications, redacted).map { notification, redacted in
            let item = VisibleNotification(
                id: notification.id, value: redacted.redaction.value, withheld: redacted.redaction.withheld, notices: redacted.redaction.notices,
                document: redacted.document)
            return (item, redacted.redaction)
        }
    }

    /// A response goes out only once its disclosure is recorded.
    func record(_ disclosure: Disclosure) async throws(Problem) {
        do {
            try await recorder.record(disclosure)
        } catch {
            logger.error("Disclosure not recorded; response withheld", metadata: [
                "request-id": "\(disclosure.requestId)", "error-type": "\(type(of: error))",
            ])
            throw Problem.unavailable("The request could not be recorded; nothing was disclosed.")
        }
    }
}
