import PersonIndex
import Storage

extension PersonIndexStore {
    /// Counts about the index for its operators (no personal data): how many records and
    /// persons it holds, what made its links, and how many pairs wait for a human. The persons
    /// it holds are an estimate, from above, of the population its records describe
    /// (`persons.population`): a person whose records are not linked yet counts more than once.
    public struct Statistics: Sendable, Equatable, Encodable {
        public var records = 0
        public var persons = 0
        /// Persons with two records or more: the ones the index has linked.
        public var personsWithSeveralRecords = 0
        /// Links by what made them (`strong_identifier`, `model`, `human`).
        public var links: [String: Int] = [:]
        /// Pairs waiting for review whose records are still two persons (as `pendingReviews` lists).
        public var pendingReviews = 0
        /// Those pairs by why the index held them (``ReviewHold/Cause``; `not_recorded` for
        /// pairs held before the index stored it): where the queue comes from.
        public var pendingReviewsByHold: [String: Int] = [:]
        /// Human decisions recorded, superseded ones included.
        public var humanDecisions = 0
        /// People the index knows to be different by their numbers: the larger of its count of
        /// different state IDs and of different FBI numbers. A floor of the population its
        /// records describe, as ``persons`` is a ceiling: a `persons.population` below it makes
        /// the model's prior too generous (two records look more likely to be one person than
        /// they are), so the index links more than it should.
        public var peopleAtLeast = 0
        /// Records added when the index learnt the m and u it decides with (nil: the built-in
        /// ones), and the records it learnt from (``ModelLearning``).
        public var modelLearntAtRecord: Int64?
        public var modelLearntFrom: Int?
        /// Records added when it last set a learnt model aside, and why (nil: never).
        public var modelSetAsideAtRecord: Int64?
        public var modelSetAsideBecause: String?
        /// The records whose names (and addresses) the last learning counted (less those sealed
        /// since), which exact agreements on them are weighed by (``NameCounts``); 0 before the
        /// first learning.
        public var namesCountedFrom = 0

        public init(
            records: Int = 0, persons: Int = 0, personsWithSeveralRecords: Int = 0, links: [String: Int] = [:], pendingReviews: Int = 0,
            pendingReviewsByHold: [String: Int] = [:], humanDecisions: Int = 0, peopleAtLeast: Int = 0
        ) {
            self.records = records
            self.persons = persons
            self.peopleAtLeast = peopleAtLeast
            self.personsWithSeveralRecords = personsWithSeveralRecords
            self.links = links
            self.pendingReviews = pendingReviews
            self.pendingReviewsByHold = pendingReviewsByHold
            self.humanDecisions = humanDecisions
        }
    }

    public func statistics(_ transaction: any StorageTransaction) throws -> Statistics {
        func count(_ sql: String) throws -> Int {
            try transaction.fetchOne(sql, [])?.get("n", as: Int.self) ?? 0
        }
        var statistics = Statistics()
        statistics.records = try count("SELECT count(*) AS n FROM person_index_records")
        statistics.persons = try count("SELECT count(DISTINCT person_id) AS n FROM person_index_records")
        statistics.personsWithSeveralRecords = try count(
            "SELECT count(*) AS n FROM (SELECT person_id FROM person_index_records GROUP BY person_id HAVING count(*) > 1) AS several")
        for row in try transaction.fetchAll("SELECT decided_by, count(*) AS n FROM person_index_links GROUP BY decided_by", []) {
            statistics.links[try row.get("decided_by", as: String.self)] = try row.get("n", as: Int.self)
        }
        for row in try transaction.fetchAll(
            "SELECT COALESCE(r.held_because, 'not_recorded') AS cause, count(*) AS n \(Self.pendingReviewsSource) GROUP BY COALESCE(r.held_because, 'not_recorded')",
            [])
        {
            statistics.pendingReviewsByHold[try row.get("cause", as: String.self)] = try row.get("n", as: Int.self)
        }
        statistics.pendingReviews = statistics.pendingReviewsByHold.values.reduce(0, +)
        statistics.humanDecisions = try count("SELECT count(*) AS n FROM person_index_decisions")
        statistics.peopleAtLeast = try peopleAtLeast(transaction)
        statistics.namesCountedFrom = try count("SELECT value AS n FROM person_index_counters WHERE name = 'named_records'")
        if let learnt = try learningState(transaction) {
            statistics.modelLearntAtRecord = learnt.atRecord
            statistics.modelLearntFrom = learnt.model?.records
            statistics.modelSetAsideAtRecord = learnt.setAsideAtRecord
            statistics.modelSetAsideBecause = learnt.setAsideBecause
        }
        return statistics
    }

    /// ``Statistics/peopleAtLeast``: the people the index holds different state IDs or FBI
    /// numbers for, whichever are more. Read from the identifiers' blocking keys (each number
    /// once per record that carries it); a prefix match, so it reads every blocking key: for
    /// an operator's count or a service's start, not for a batch.
    public func peopleAtLeast(_ transaction: any StorageTransaction) throws -> Int {
        let prefixes = [StrongIdentifier.stateId(""), .fbiNumber("")].map { "\(BlockingPass.strongIdentifiers.rawValue)|\($0.description)%" }
        return try prefixes.map { prefix in
            try transaction.fetchOne(
                "SELECT count(DISTINCT block_key) AS n FROM person_index_blocking_keys WHERE block_key LIKE $1", [.text(prefix)]
            )?.get("n", as: Int.self) ?? 0
        }.max() ?? 0
    }

    /// The warning to give when `population` (the `persons.population` the model's prior
    /// comes from) is below the people the index knows apart: the prior is then too generous,
    /// two records look likelier to be one person than they are, and the index links more than
    /// it should. Nil when the population is at or above them.
    public static func populationWarning(population: Int, peopleAtLeast: Int) -> String? {
        guard peopleAtLeast > population else { return nil }
        return "persons.population \(population) is below the \(peopleAtLeast) people the index holds different numbers for: "
            + "the model takes two records to be one person more readily than it should, so it links more than it should; "
            + "set persons.population (REENTRYBUS_PERSONS_POPULATION) to about the number of people the agencies' records describe"
    }
}
