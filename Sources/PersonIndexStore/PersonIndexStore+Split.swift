import PersonIndex

/// How a `distinct` decision splits a person: the links a strong identifier or a human made
/// are kept whatever happens; the model's links are added back, strongest first, unless one
/// would join records a human decided are different people (this pair or an earlier one).
struct SplitPlan {
    /// The persons the records form afterwards, each ascending; the one holding the original
    /// id first, then by their smallest record id.
    var parts: [[String]]
    /// Model links dropped because they joined records decided distinct.
    var droppedLinks: [(String, String)]
    /// A human link about the decided pair itself, superseded by the decision.
    var supersededLink: (String, String)?
}

extension PersonIndexStore {
    func splitPlan(person: String, parting pair: (String, String), _ session: Session) throws -> SplitPlan {
        let members = try session.members(person)
        var index: [String: Int] = [:]
        for (position, id) in members.enumerated() { index[id] = position }
        var clusters = PersonClusters(recordIds: members)
        let links = try session.links(within: person)
        var superseded: (String, String)?
        var modelLinks: [(a: String, b: String, score: Double)] = []
        for link in links {
            // A human link about the decided pair itself is what this decision replaces.
            if link.a == pair.0 && link.b == pair.1 && link.source == IdentityEvent.DecisionSource.human.rawValue {
                superseded = (link.a, link.b)
                continue
            }
            guard let x = index[link.a], let y = index[link.b] else { continue }
            if link.source == IdentityEvent.DecisionSource.model.rawValue {
                modelLinks.append((link.a, link.b, link.score))
            } else {
                clusters.link(x, y)
            }
        }
        guard let low = index[pair.0], let high = index[pair.1] else { throw PersonIndexStoreError(.unknownRecord(pair.0)) }
        if clusters.areLinked(low, high) {
            throw PersonIndexStoreError(.boundByStrongerEvidence(a: pair.0, b: pair.1))
        }
        let apart = (try session.distinctPairs(within: person) + [pair]).compactMap { p -> (Int, Int)? in
            guard let x = index[p.0], let y = index[p.1] else { return nil }
            return (x, y)
        }
        var dropped: [(String, String)] = []
        modelLinks.sort { $0.score != $1.score ? $0.score > $1.score : ($0.a, $0.b) < ($1.a, $1.b) }
        for link in modelLinks {
            guard let x = index[link.a], let y = index[link.b] else { continue }
            if clusters.areLinked(x, y) { continue }
            var trial = clusters
            trial.link(x, y)
            if apart.contains(where: { trial.areLinked($0.0, $0.1) }) {
                dropped.append((link.a, link.b))
            } else {
                clusters = trial
            }
        }
        let parts = clusters.persons().map { $0.map { members[$0] } }
            .sorted { ($0.contains(person) ? 0 : 1, $0[0]) < ($1.contains(person) ? 0 : 1, $1[0]) }
        return SplitPlan(parts: parts, droppedLinks: dropped, supersededLink: superseded)
    }

    /// Carries out a plan: drops the links, renames the parts, and returns the split and one
    /// unlinked event per record that left.
    func apply(_ plan: SplitPlan, person: String, by operatorId: String, _ session: Session) throws -> [IdentityEvent] {
        for (a, b) in plan.droppedLinks + (plan.supersededLink.map { [$0] } ?? []) {
            _ = try session.transaction.execute("DELETE FROM person_index_links WHERE a = $1 AND b = $2", [.text(a), .text(b)])
        }
        guard plan.parts.count > 1 else { return [] }
        var split = try session.event(.split, personId: person)
        split.persons = plan.parts.map { part in
            IdentityEvent.SplitPerson(personId: part.contains(person) ? person : part[0], recordIds: part)
        }
        split.reason = "human_distinct"
        split.decidedBy = operatorId
        var events = [split]
        for part in plan.parts.dropFirst() {
            let newPerson = part[0]
            for recordId in part {
                _ = try session.transaction.execute(
                    "UPDATE person_index_records SET person_id = $1 WHERE record_id = $2", [.text(newPerson), .text(recordId)])
                var unlinked = try session.event(.unlinked, personId: person)
                unlinked.recordId = recordId
                unlinked.newPersonId = newPerson
                unlinked.reason = "human_distinct"
                unlinked.decidedBy = operatorId
                events.append(unlinked)
            }
        }
        return events
    }
}
