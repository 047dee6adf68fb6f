import Foundation
import PersonIndex
import Storage
import Synchronization

extension PersonIndexStore {
    /// When the index learns its m and u from its own records (`PersonResolver.learnModel`)
    /// instead of deciding with the built-in ones, which were estimated on generated data.
    ///
    /// It learns when the records added reach ``firstAfter``, then each time their number
    /// doubles (2,000, 4,000, 8,000, …): the work of all learning stays proportional to the
    /// records, and an index whose records change slowly stops spending it. The records added
    /// are counted, not the clock, so a replay of the same events learns at the same records
    /// and decides alike. Each time it reads the ``sampleLimit`` records added last, so that
    /// one learning costs about the same at a million records as at forty thousand (the
    /// measured cost is in the README). The prior stays the population's
    /// (`persons.population`). What was decided before is not decided again.
    public struct ModelLearning: Sendable, Equatable {
        /// Records added when the index first learns (default 2,000); before, it decides with
        /// the built-in m and u. A smaller index teaches EM too little.
        public var firstAfter: Int
        /// The most records one learning reads, the latest added (default 20,000).
        public var sampleLimit: Int
        /// Whether the index learns at all (default true); off, it keeps the built-in m and u.
        public var enabled: Bool
        /// Pairs sharing a strong identifier a learnt model is checked on before the index
        /// decides with it (default 20): fewer, and it is set aside.
        public var minimumKnownPairs: Int

        public init(firstAfter: Int = 2_000, sampleLimit: Int = 20_000, minimumKnownPairs: Int = 20, enabled: Bool = true) {
            self.firstAfter = max(firstAfter, 1)
            self.sampleLimit = max(sampleLimit, 2)
            self.minimumKnownPairs = max(minimumKnownPairs, 0)
            self.enabled = enabled
        }

        /// Built-in m and u, always.
        public static let off = ModelLearning(enabled: false)

        /// Whether the index learns once its `added`-th record is stored: at `firstAfter`
        /// and at each doubling of it.
        public func isDue(afterAdding added: Int64) -> Bool {
            let first = Int64(firstAfter)
            guard enabled, added >= first, added % first == 0 else { return false }
            let multiple = added / first
            return multiple & (multiple - 1) == 0
        }
    }

    /// What the index learnt: the model it decides with, and the last model it set aside.
    public struct LearningState: Sendable, Equatable {
        /// Records added when it learnt the model it decides with (see ``ModelLearning``).
        public var atRecord: Int64?
        /// The model it decides with (nil: the built-in m and u, nothing plausible learnt yet).
        public var model: LearntModel?
        /// Records added when it last learnt a model it set aside, and why
        /// (``LearntModel/setAsideBecause(minimumKnownPairs:)``), or nil.
        public var setAsideAtRecord: Int64?
        public var setAsideBecause: String?
    }

    /// What one learning did.
    public enum LearningOutcome: Sendable, Equatable {
        /// The index decides with the model learnt at `atRecord` from the latest `from` records.
        case learnt(atRecord: Int64, from: Int)
        /// The model learnt at `atRecord` was set aside, `because`.
        case setAside(atRecord: Int64, because: String)

        /// `learnt` or `set_aside`: a bounded metric label.
        public var label: String {
            switch self {
            case .learnt: "learnt"
            case .setAside: "set_aside"
            }
        }
    }

    static let modelMigration = StorageMigration.script("person-index-v4", """
        CREATE TABLE person_index_model (
            id INTEGER NOT NULL PRIMARY KEY,
            learnt_at_record BIGINT,
            model TEXT,
            set_aside_at_record BIGINT,
            set_aside_because TEXT
        )
        """)

    /// What the index learnt (nil before it first tried).
    ///
    /// - Throws: ``PersonIndexStoreError`` `.unreadableModel` when the stored model cannot be
    ///   read or lacks a level (a database edited by hand, or written by a newer build).
    public func learningState(_ transaction: any StorageTransaction) throws -> LearningState? {
        guard let row = try transaction.fetchOne(
            "SELECT learnt_at_record, model, set_aside_at_record, set_aside_because FROM person_index_model WHERE id = 1", [])
        else { return nil }
        var model: LearntModel?
        if let text = try row.get("model", as: String?.self) {
            if let known = decodedModel.model(storedAs: text) {
                model = known
            } else {
                guard let decoded = try? JSONDecoder().decode(LearntModel.self, from: Data(text.utf8)), decoded.isWellFormed else {
                    throw PersonIndexStoreError(.unreadableModel)
                }
                decodedModel.keep(decoded, storedAs: text)
                model = decoded
            }
        }
        return LearningState(
            atRecord: try row.get("learnt_at_record", as: Int64?.self), model: model,
            setAsideAtRecord: try row.get("set_aside_at_record", as: Int64?.self),
            setAsideBecause: try row.get("set_aside_because", as: String?.self))
    }

    /// This store deciding with the m and u it learnt last, if it learns and has learnt a
    /// plausible model; its prior unchanged.
    func deciding(_ transaction: any StorageTransaction) throws -> PersonIndexStore {
        guard learning.enabled, let model = try learningState(transaction)?.model else { return self }
        return deciding(with: model)
    }

    private func deciding(with learnt: LearntModel) -> PersonIndexStore {
        var store = self
        store.matcher.model = learnt.model(matchPrior: matcher.model.matchPrior)
        return store
    }

    /// Learns m and u from the latest ``ModelLearning/sampleLimit`` records (and counts their
    /// names: ``countNames(of:_:)``) and returns this store deciding with them, stored as learnt
    /// at record `added`; a model with
    /// a reason to be set aside (``LearntModel/setAsideBecause(minimumKnownPairs:)``) is noted
    /// with it instead, and the store goes on with what it decided with.
    func learn(atRecord added: Int64, _ session: Session) throws -> (PersonIndexStore, LearningOutcome) {
        let rows = try session.transaction.fetchAll(
            "SELECT record_id, record_json, added_seq FROM person_index_records ORDER BY added_seq DESC LIMIT $1",
            [.integer(Int64(learning.sampleLimit))])
        // Oldest first, as they arrived: the blocking and the random pairs follow the order.
        let sample = try rows.reversed().map {
            (record: try Session.parse(try $0.get("record_json", as: String.self), recordId: try $0.get("record_id", as: String.self)),
             added: try $0.get("added_seq", as: Int64.self))
        }
        let records = sample.map(\.record)
        // The names' frequencies too, whether the model is kept or set aside: they do not come
        // from EM, and the built-in model weighs by them as well.
        try countNames(of: sample, session)
        let learnt = PersonResolver(configuration: matcher.configuration).learnModel(from: records, replacing: matcher.model)
        if let reason = learnt.setAsideBecause(minimumKnownPairs: learning.minimumKnownPairs) {
            _ = try session.transaction.execute(
                """
                INSERT INTO person_index_model (id, set_aside_at_record, set_aside_because) VALUES (1, $1, $2)
                ON CONFLICT (id) DO UPDATE SET set_aside_at_record = excluded.set_aside_at_record, set_aside_because = excluded.set_aside_because
                """, [.integer(added), .text(reason)])
            return (self, .setAside(atRecord: added, because: reason))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        _ = try session.transaction.execute(
            """
            INSERT INTO person_index_model (id, learnt_at_record, model) VALUES (1, $1, $2)
            ON CONFLICT (id) DO UPDATE SET learnt_at_record = excluded.learnt_at_record, model = excluded.model
            """, [.integer(added), .text(String(decoding: try encoder.encode(learnt), as: UTF8.self))])
        return (deciding(with: learnt), .learnt(atRecord: added, from: learnt.records))
    }
}

/// The stored model last decoded, by its stored text: the service adds one record a call and
/// reads the row each time, and decoding its JSON cost ~30 µs (release, this machine), about a
/// sixth of adding a record. Keyed by the text itself, so a model rolled back with its batch or
/// written by another process is never mistaken for the one kept. A lock, not an actor: the
/// store is called synchronously inside a transaction, and the lock is held only to copy.
final class DecodedModelCache: Sendable {
    private let kept = Mutex<(text: String, model: LearntModel)?>(nil)

    func model(storedAs text: String) -> LearntModel? {
        kept.withLock { kept in kept?.text == text ? kept?.model : nil }
    }

    func keep(_ model: LearntModel, storedAs text: String) {
        kept.withLock { $0 = (text, model) }
    }
}
