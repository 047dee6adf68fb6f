import Contracts
import Notifications
import Policy

/// Follows a caller's inbox after a position, for the channels that push (webhooks, the live
/// stream): each call reads the next notifications of the caller's recipients from the
/// `NotificationSource`, keeps those that are the caller's (`InboxAccess.isCallers`) and that
/// `including` accepts, and redacts them for `requester`. Recording each disclosure is the
/// channel's (a stream push, a delivery attempt); the position returned is the last row read,
/// shown or not, so a follower never reads the same row twice.
///
/// Positions are arrival numbers (`ArrivalCursor`), not the inbox page's occurrence order: a
/// notification that occurred long ago but arrives after the follower read past its time is
/// still ahead of the follower.
struct InboxFollower: Sendable {
    /// Its notification source and its one redaction (`Gateway.disclose(_:at:to:)`).
    let gateway: Gateway

    struct Batch: Sendable {
        var items: [(position: ArrivalCursor, disclosed: DisclosedNotification)]
        /// The position of the last row read; nil when none was.
        var lastRead: ArrivalCursor?
        /// Whether the page was full: more may be waiting.
        var full: Bool
    }

    func next(
        for caller: Caller, as requester: Requester, after cursor: ArrivalCursor?, limit: Int,
        including: @Sendable (BusNotification) -> Bool = { _ in true }
    ) async throws -> Batch {
        let recipients = InboxAccess.recipients(of: caller).map(\.description)
        let rows = try await gateway.notifications.arrivals(for: recipients, after: cursor, limit: limit)
        let kept = rows.filter { InboxAccess.isCallers($0.notification, caller: caller) && including($0.notification) }
        let disclosed = try await gateway.disclose(kept.map(\.notification), to: requester)
        let items = zip(kept, disclosed).map { (position: $0.position, disclosed: $1) }
        return Batch(items: items, lastRead: rows.last?.position, full: rows.count == limit)
    }
}
