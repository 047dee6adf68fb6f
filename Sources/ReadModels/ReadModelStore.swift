import Contracts
import ServiceKit
import Storage

/// One audience's read model: its tables and how each event changes them, written once over
/// the storage seam so the same code runs on SQLite and PostgreSQL.
///
/// A store knows nothing of Kafka or of the runtime: the service that hosts it (a projection)
/// calls ``apply(_:in:)`` inside the batch's transaction, which also records the consumed
/// offsets, so a view is never ahead of or behind its progress. `apply` is deterministic in the
/// event and the tables (no clock, no randomness): a replay rebuilds the same rows. Queries take
/// the moment they are asked about (`asOf`) as an argument for the same reason.
public protocol ReadModelStore: Sendable {
    /// Names the view's service, its database and its consumer group (e.g. `caseload-view`).
    var name: String { get }
    /// The topics it reads.
    var topics: [String] { get }
    /// Its tables, in the shared dialect. Never edit a shipped step: add one. A step several
    /// stores list (the ledgers they share) has one id and is run once in a database.
    var migrations: [StorageMigration] { get }
    /// The names of every table its migrations create and keep (under the store's own prefix,
    /// or `views_` for the ledgers the views share: ``ReleaseLedger/views``,
    /// ``WarrantLedger/views``), for those who must search them all: a sealing pass's tests,
    /// an operator's audit.
    var tables: [String] { get }
    /// Whether events of this type concern it; others only advance the offset.
    func handles(eventType: String) -> Bool
    /// Applies one admitted event. Throws `PoisonMessage` for an event that breaks the view's
    /// rules (its changes are rolled back, it is dead-lettered with the reason, the view goes
    /// on); any other error stops the service with its offsets where they were.
    func apply(_ event: AdmittedEvent, in transaction: any StorageTransaction) throws
    /// Removes every row the view keeps that a sealing or expungement order covers, and says
    /// how many rows it removed from which table (never what they held). Both kinds remove
    /// alike: the bus cannot tell who may still see a sealed record, so it keeps none.
    ///
    /// - `all_records`: every row about the person, whatever its time (the order removes what
    ///   the view holds when it is read), found by their key (`sid:<state id>`, `fbi:<FBI
    ///   number>`) or either number (``SealedPerson``), and every row derived from them: rows
    ///   of other tables that exist only because of a removed row, notifications about them.
    /// - `listed_cases`: only the person's rows of the listed cases (a court case number is a
    ///   warrant's `caseNumber`, a supervision case id a `supervision.cases` event's `caseId`)
    ///   and the rows derived from them; records of no case (arrests, contacts, releases…) stay.
    ///
    /// It never stores the order (the runtime records it, `SealingLedger`) and never logs. The
    /// runtime then keeps events about the person that occurred before the order out
    /// (`SealedRecordCheck`); a view that keeps people an event names only in its payload
    /// checks each of them itself when applying it (``SealedMentions``).
    func seal(_ order: SealingOrder, in transaction: any StorageTransaction) throws -> SealingTally
}
