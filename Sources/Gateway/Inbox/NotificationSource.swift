import Contracts
import Directory
import Foundation
import Notifications
import Storage

/// Where the gateway reads notifications: the inbox read model, and the agency directory the
/// inbox keeps beside it (`reference.agencies`), which says a caller's agency's kind. A seam so
/// tests can hand it an in-memory inbox; `StorageNotificationSource` reads the inbox service's
/// database.
public protocol NotificationSource: Sendable {
    /// A page of the notifications of any of `recipients` after `cursor` (see
    /// `InboxStore.page(for:after:limit:_:)`).
    func page(for recipients: [String], after cursor: InboxCursor?, limit: Int) async throws -> [(position: InboxCursor, notification: BusNotification)]
    /// A page of the notifications of any of `recipients` newest first, before `cursor` (see
    /// `InboxStore.pageNewestFirst(for:before:limit:_:)`).
    func pageNewestFirst(for recipients: [String], before cursor: InboxCursor?, limit: Int) async throws -> [(position: InboxCursor, notification: BusNotification)]
    /// The arrival position of the last notification stored for any of `recipients` (see
    /// `InboxStore.latestArrival(for:_:)`); nil when there is none.
    func latestArrival(for recipients: [String]) async throws -> ArrivalCursor?
    /// The accepted acknowledgements of each of `notificationIds` (see
    /// `EscalationStore.acceptedAcknowledgements(of:_:)`).
    func acknowledgements(of notificationIds: [String]) async throws -> [String: [EscalationStore.Acknowledgement]]
    /// The notifications of any of `recipients` in the order the inbox stored them, after
    /// `cursor` (see `InboxStore.arrivals(for:after:limit:_:)`): what the push channels follow.
    func arrivals(for recipients: [String], after cursor: ArrivalCursor?, limit: Int) async throws -> [(position: ArrivalCursor, notification: BusNotification)]
    /// The notification with `id` (a lowercase UUID), if the inbox holds it.
    func notification(id: String) async throws -> BusNotification?
    /// The kind of the active agency `agencyId` by the directory; nil when the directory does
    /// not know it (or it retired).
    func agencyKind(of agencyId: String) async throws -> AgencyKind?
}

/// The inbox service's database (its SQLite file, or its PostgreSQL schema), read only through
/// `InboxStore`'s queries.
public struct StorageNotificationSource: NotificationSource {
    let storage: @Sendable () throws -> any StorageDatabase

    /// - Parameter storage: opens (or returns) the inbox's database when a request needs it,
    ///   so the gateway may start before the inbox service has created it.
    public init(storage: @escaping @Sendable () throws -> any StorageDatabase) {
        self.storage = storage
    }

    public func page(for recipients: [String], after cursor: InboxCursor?, limit: Int) async throws -> [(position: InboxCursor, notification: BusNotification)] {
        let after = cursor.map { (occurredAt: $0.occurredAt, id: $0.id) }
        let rows = try await storage().read { try InboxStore.page(for: recipients, after: after, limit: limit, $0) }
        return rows.map { (InboxCursor(occurredAt: $0.occurredAt, id: $0.notification.id), $0.notification) }
    }

    public func pageNewestFirst(for recipients: [String], before cursor: InboxCursor?, limit: Int) async throws -> [(position: InboxCursor, notification: BusNotification)] {
        let before = cursor.map { (occurredAt: $0.occurredAt, id: $0.id) }
        let rows = try await storage().read { try InboxStore.pageNewestFirst(for: recipients, before: before, limit: limit, $0) }
        return rows.map { (InboxCursor(occurredAt: $0.occurredAt, id: $0.notification.id), $0.notification) }
    }

    public func latestArrival(for recipients: [String]) async throws -> ArrivalCursor? {
        try await storage().read { try InboxStore.latestArrival(for: recipients, $0) }.map(ArrivalCursor.init(arrival:))
    }

    public func acknowledgements(of notificationIds: [String]) async throws -> [String: [EscalationStore.Acknowledgement]] {
        try await storage().read { try EscalationStore.acceptedAcknowledgements(of: notificationIds, $0) }
    }

    public func arrivals(for recipients: [String], after cursor: ArrivalCursor?, limit: Int) async throws -> [(position: ArrivalCursor, notification: BusNotification)] {
        let rows = try await storage().read { try InboxStore.arrivals(for: recipients, after: cursor?.arrival, limit: limit, $0) }
        return rows.map { (ArrivalCursor(arrival: $0.arrival), $0.notification) }
    }

    public func notification(id: String) async throws -> BusNotification? {
        try await storage().read { try InboxStore.notification(id, $0) }
    }

    public func agencyKind(of agencyId: String) async throws -> AgencyKind? {
        try await storage().read { try DirectoryStore($0).entry(agencyId)?.kind }
    }
}
