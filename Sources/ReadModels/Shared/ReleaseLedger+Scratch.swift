import Contracts
import Storage

/// A stored release event as a ``ReleaseLedger`` decoded it in this transaction, for its next
/// fold of the same release. Remembered by event id with its bytes: a ledger whose row holds
/// other bytes under that id (another ledger's table, an id reused after it was forgotten)
/// decodes its own.
struct DecodedReleaseEvent {
    struct Stored: Equatable {
        var eventType: String
        var body: [UInt8]
    }

    enum Recalled {
        /// Remembered with the same type and bytes.
        case same(ReleaseEvent)
        /// Remembered with other bytes: decode these.
        case different
        case unknown
    }

    var stored: Stored
    var event: ReleaseEvent

    init(eventType: String, body: [UInt8], event: ReleaseEvent) {
        stored = Stored(eventType: eventType, body: body)
        self.event = event
    }

    private static func key(_ eventId: String) -> String { "release-event\u{0}\(eventId)" }

    func remember(_ eventId: String, in scratch: TransactionScratch) {
        scratch.store(self, for: Self.key(eventId))
    }

    static func recall(_ eventId: String, _ stored: Stored, in scratch: TransactionScratch) -> Recalled {
        guard let remembered = scratch.value(key(eventId), as: DecodedReleaseEvent.self) else { return .unknown }
        return remembered.stored == stored ? .same(remembered.event) : .different
    }
}

/// A release's history as the rows of a `<prefix>_releases` table (the columns of
/// ``ReleaseLedger``'s insert, in order).
struct FoldedRelease {
    var rows: [[SQLValue]]

    init(_ releaseId: String, _ fold: ReleaseFold) throws {
        rows = []
        guard !fold.history.isEmpty else { return }
        let person = try PersonOnRecord(subject: fold.subject).values()
        for (index, (from, state)) in fold.history.enumerated() {
            let until = index + 1 < fold.history.count ? fold.history[index + 1].from : nil
            let expectedAt = state.expectedAt.map(ViewTime.milliseconds)
            let releasedAt = state.releasedAt.map(ViewTime.milliseconds)
            rows.append(
                [.text(releaseId), .integer(from), until.sqlValue] + person
                    + [
                        .text(state.status.rawValue), state.facility?.facilityId.sqlValue ?? .null, state.facility?.name.sqlValue ?? .null,
                        state.facility?.kind.rawValue.sqlValue ?? .null, expectedAt.sqlValue, releasedAt.sqlValue,
                        (expectedAt ?? releasedAt).sqlValue, state.releaseType?.rawValue.sqlValue ?? .null,
                        try StoredColumn.optionalJSON(state.destination), state.destination.map { JurisdictionPlace(of: $0).key }.sqlValue,
                        state.supervisionType?.rawValue.sqlValue ?? .null, state.supervisingAgencyId.sqlValue,
                    ])
        }
    }
}
