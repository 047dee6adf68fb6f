import Contracts
import Directory
import ServiceKit
import Storage

/// The `views` service: every agency's read model, kept by one consumer over one database,
/// with the agency directory beside them (the police view asks it which places an agency
/// serves).
///
/// Each event goes to every store that handles it, in order, inside the batch's transaction.
/// A store that refuses an event (`PoisonMessage`) refuses it for all: the event's changes are
/// rolled back in every view and it is dead-lettered once, its reason naming the view. A view
/// that applied an event another refused would answer from facts the others never saw.
public struct ViewsProjection: EventProjection {
    public let name = "views"
    public let stores: [any ReadModelStore]

    /// - Parameter stores: the views to keep; by default every view of ``ReadModelCatalog``.
    public init(stores: [any ReadModelStore] = ReadModelCatalog.all) {
        self.stores = stores
    }

    public var topics: [String] {
        var seen = Set<String>()
        return ([DirectoryStore.topic] + stores.flatMap(\.topics)).filter { seen.insert($0).inserted }
    }

    /// The agency directory is read in full by every instance (a police view asks it for the
    /// agency's places, whichever instance answers).
    public var referenceTopics: [String] { [DirectoryStore.topic] }

    public var migrations: [StorageMigration] {
        DirectoryStore.migrations + stores.flatMap(\.migrations)
    }

    public func handles(eventType: String) -> Bool {
        DirectoryStore.handles(eventType: eventType) || stores.contains { $0.handles(eventType: eventType) }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        if DirectoryStore.handles(eventType: event.eventType) {
            try DirectoryStore(transaction.storage).apply(event)
        }
        for store in stores where store.handles(eventType: event.eventType) {
            do {
                try store.apply(event, in: transaction.storage)
            } catch let poison as PoisonMessage {
                throw PoisonMessage(reason: "\(store.name): \(poison.reason)")
            }
        }
    }
}
