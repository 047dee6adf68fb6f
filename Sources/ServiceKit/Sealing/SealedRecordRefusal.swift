/// An event about a record a sealing order removed, refused by the projection that keeps such
/// records (a warrant's resolution, a detainer lodged on a sealed warrant, a removed release's
/// change…), counted so that an operator sees how often the bus refuses and on which ground.
///
/// The checks err towards refusing: an event that names no number, or only a kind of number
/// the person was not known by, is refused although it may be another person's. The counter
/// (``metric``, with the service label) says which digest matched (``Reason``), so that such
/// refusals can be told from those that name the person. Never a record's id, number or name:
/// both dimensions are fixed codes.
///
/// Not logged: a projection has no logger (the runtime logs for it, and only warnings:
/// `ProjectionTransaction.warnOnCommit`).
public struct SealedRecordRefusal: Sendable, Hashable {
    /// The counter's label; its dimensions ``kindDimension`` and ``reasonDimension``.
    public static let metric = "reentrybus_sealed_records_refused_total"
    public static let kindDimension = "record_kind"
    public static let reasonDimension = "reason"

    /// The kind of record the refused event is about.
    public enum Kind: String, Sendable, CaseIterable {
        case warrant
        case detainer
        case release
    }

    /// Which digest of an order matched the event: why it was refused. When several matched,
    /// the views' ledger (`SealingLedger.coveringReason`) names the first of person,
    /// unnumbered or unknown number kind, id alone; the warrant resolver names the digest of the
    /// latest covering order, the one its refusal rests on. A refusal matching more than one
    /// digest can therefore carry a different reason in the two services.
    public enum Reason: String, Sendable, CaseIterable {
        /// The warrant's id with one of the person's numbers (the event names the person).
        case person
        /// The warrant's id alone, for an event naming no number: nothing says whose it is.
        case unnumbered
        /// The warrant's id with a kind of number of which none was known for the person, for
        /// an event naming only numbers of that kind (it may be another person's).
        case unknownNumberKind = "unknown_number_kind"
        /// The warrant's id alone as written before warrants were remembered with their
        /// person (legacy: it covers every event about the id, whoever's).
        case idAlone = "id_alone"
        /// The warrant's issuing agency and id (a late issue; the resolver's).
        case agency
        /// The id of a release or detainer an order removed (the resolver's).
        case recordId = "record_id"
        /// A detainer whose lodging was refused before as a sealed record's: every later event
        /// about it is refused (the resolver's `every_event`).
        case refusedBefore = "refused_before"
        /// The subject's record in the person index, which an order removed (the resolver's).
        case indexRecord = "index_record"
    }

    public var kind: Kind
    public var reason: Reason

    public init(_ kind: Kind, _ reason: Reason) {
        self.kind = kind
        self.reason = reason
    }

    /// The counter's dimensions, in order.
    public var dimensions: [(name: String, value: String)] {
        [(name: Self.kindDimension, value: kind.rawValue), (name: Self.reasonDimension, value: reason.rawValue)]
    }
}

extension ProjectionTransaction {
    /// Counts `refusal` (``SealedRecordRefusal/metric``) once the batch has committed.
    public func countOnCommit(_ refusal: SealedRecordRefusal) {
        countOnCommit(SealedRecordRefusal.metric, dimensions: refusal.dimensions)
    }
}
