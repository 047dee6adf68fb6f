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
///
/// An event whose contract admits a subject without the state ID (a booking, arrest or
/// contact filed under a booking or RMS number before fingerprints are matched) that names
/// neither a state ID nor an FBI number changes no view: the views file people under these two
/// numbers (`PersonKey`). It broke no contract, so it is not dead-lettered; it is counted
/// (``unidentifiedMetric``, by event type). The person index links such records, and the
/// router routes them through the link.
///
/// Sealing and expungement orders (`records.sealing`) go to every store (``seal(_:in:)``). The
/// directory keeps agencies, never a person, and is left as it is. An event a store refuses as
/// a sealed record's (a detainer lodged on a warrant an order removed) is counted
/// (`SealedRecordRefusal.metric`, by record kind and the digest that matched).
public struct ViewsProjection: EventProjection {
    /// The topic of sealing and expungement orders.
    public static let sealingTopic = SealingOrder.topic

    public let name = "views"
    /// The metric counting events left out because their subject has no state ID or FBI number.
    public static let unidentifiedMetric = "reentrybus_views_unidentified_total"
    public let stores: [any ReadModelStore]

    /// - Parameter stores: the views to keep; by default every view of ``ReadModelCatalog``.
    public init(stores: [any ReadModelStore] = ReadModelCatalog.all) {
        self.stores = stores
    }

    public var topics: [String] {
        var seen = Set<String>()
        return ([DirectoryStore.topic, Self.sealingTopic] + stores.flatMap(\.topics)).filter { seen.insert($0).inserted }
    }

    /// Read in full by every instance: the agency directory (a police view asks it for the
    /// agency's places, whichever instance answers), and the sealing orders. An order is keyed
    /// by its person's state ID, but an incident naming that person among others is keyed
    /// otherwise and may be kept by any instance: each must apply every order. Reference
    /// topics are also caught up before anything else at start, so a replay reads the orders
    /// before the records they cover (which are then not kept).
    public var referenceTopics: [String] { [DirectoryStore.topic, Self.sealingTopic] }

    /// The directory's steps and each store's, in order; a step several stores list (the
    /// tables they share, ``ReleaseLedger/sharedStep``) once, where it first appears.
    public var migrations: [StorageMigration] {
        var seen = Set<String>()
        return (DirectoryStore.migrations + stores.flatMap(\.migrations)).filter { seen.insert($0.id).inserted }
    }

    /// The stores' event types, the directory's, and both order types (`SealingOrder.eventTypes`,
    /// which the runtime hands to ``seal(_:in:)``, never to ``apply(_:in:)``).
    public func handles(eventType: String) -> Bool {
        DirectoryStore.handles(eventType: eventType) || SealingOrder.eventTypes.contains(eventType)
            || stores.contains { $0.handles(eventType: eventType) }
    }

    public func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
        if try Self.namesNeitherNumber(event) {
            transaction.countOnCommit(Self.unidentifiedMetric, dimensions: [(name: "event_type", value: event.eventType)])
            return
        }
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
        for refusal in SealedRefusalNotes.take(for: event, in: transaction.storage) { transaction.countOnCommit(refusal) }
    }

    /// Whether `event` is of a version whose subject may lack the state ID and names the person
    /// by neither the state ID nor the FBI number. An event of an earlier version without them
    /// broke its contract: it goes on to the stores, which refuse it.
    static func namesNeitherNumber(_ event: AdmittedEvent) throws(PoisonMessage) -> Bool {
        guard let type = EventTypes.payloadType(eventType: event.eventType, version: event.schemaVersion),
            event.schemaVersion == type.stateIdOptionalVersion
        else { return false }
        return PersonKey(namedIn: try subject(of: event, as: type)) == nil
    }

    private static func subject<Payload: EventPayload>(of event: AdmittedEvent, as type: Payload.Type) throws(PoisonMessage) -> SubjectIdentifiers? {
        try event.decode(type).subject
    }

    /// Removes what `order` covers from every store (``ReadModelStore/seal(_:in:)``) and adds
    /// up what each removed. A store is asked once (by name); a table several stores share
    /// (``ReleaseLedger/views``) is counted once, as the counts are the rows each `DELETE`
    /// removed and the first store to seal it removes them.
    public func seal(_ order: SealingOrder, in transaction: ProjectionTransaction) throws -> SealingTally {
        var tally = SealingTally()
        var sealed = Set<String>()
        for store in stores where sealed.insert(store.name).inserted {
            tally.merge(try store.seal(order, in: transaction.storage))
        }
        return tally
    }
}
