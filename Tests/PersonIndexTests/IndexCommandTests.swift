import Foundation
import TestSupport
import Testing

/// `reentrybus persons index|review|link|distinct` on a temporary SQLite file, as an operator
/// runs them.
@Suite("reentrybus persons index, review, link and distinct on the command line")
struct IndexCommandTests {
    private static func run(_ arguments: [String]) async throws -> (ChildProcess.Termination, ChildProcess) {
        try await runPersonsCommand(arguments)
    }

    private static let records = [
        #"{"recordId":"t1","source":"jail","givenName":"Jonathan","familyName":"Smithers","dateOfBirth":"1990-04-11","sex":"M"}"#,
        #"{"recordId":"t2","source":"police","givenName":"Jonatan","familyName":"Smithers","dateOfBirth":"1990-11-04","sex":"M"}"#,
        #"{"recordId":"d1","source":"doc","givenName":"Mary","familyName":"Smith","identifiers":{"stateId":"IL-123"}}"#,
        #"{"recordId":"p2","source":"police","givenName":"Marie","familyName":"Smyth","identifiers":{"stateId":"il123"}}"#,
    ]

    /// A fresh directory with the paths of an input file and a database in it.
    private static func scratch(_ name: String) throws -> (directory: URL, input: URL, database: String) {
        let directory = temporaryDirectory(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory, directory.appendingPathComponent("records.ndjson"), directory.appendingPathComponent("persons.sqlite").path)
    }

    /// An "A." beside twins Anna and Alice: each pair with the initial waits for review, and the
    /// reviewer sees the other twin's record beside the pair, named as what held it.
    @Test func reviewShowsTheRecordThatMadeAPairDoubtful() async throws {
        let (directory, input, database) = try Self.scratch("reentrybus-person-index-hold")
        defer { try? FileManager.default.removeItem(at: directory) }
        let oak = #""address":{"line1":"5 Oak Street","city":"Kansas City","state":"MO","postalCode":"64106"}"#
        let twins = [
            #"{"recordId":"y1","source":"jail","givenName":"Anna","familyName":"Wojcik","dateOfBirth":"1988-03-03","sex":"F",\#(oak)}"#,
            #"{"recordId":"y3","source":"courts","givenName":"Alice","familyName":"Wojcik","dateOfBirth":"1988-03-03","sex":"F",\#(oak)}"#,
            #"{"recordId":"y2","source":"police","givenName":"A","familyName":"Wojcik","dateOfBirth":"1988-03-03","sex":"F",\#(oak)}"#,
        ]
        try Data(twins.joined(separator: "\n").utf8).write(to: input)
        let (indexed, index) = try await Self.run(["persons", "index", "--input", input.path, "--database", database])
        #expect(indexed.status == 0, "\(index.errors.value)")

        let (listed, review) = try await Self.run(["persons", "review", "--database", database, "--json"])
        #expect(listed.status == 0, "\(review.errors.value)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(review.output.value.utf8)) as? [String: Any])
        let pairs = try #require(document["pairs"] as? [[String: Any]])
        let pair = try #require(pairs.first { ($0["a"] as? [String: String])?["recordId"] == "y1" && ($0["b"] as? [String: String])?["recordId"] == "y2" })
        #expect(pair["holdCause"] as? String == "another_person_plausible")
        #expect(pair["heldBy"] as? [String] == ["y3"])
        #expect((pair["heldByRecords"] as? [[String: String]])?.map { $0["givenName"] } == ["Alice"])

        let (text, textReview) = try await Self.run(["persons", "review", "--database", database])
        #expect(text.status == 0)
        let output = textReview.output.value
        #expect(output.contains("y3 (named by the hold)"), "\(output)")
        #expect(output.contains("another person is plausible too (record y3)"), "\(output)")
    }

    /// A long file says how far it is every `--progress-every` records, and decides exactly as
    /// one pass would: the same events, the same review queue.
    @Test func indexSaysHowFarItIsAndDecidesTheSame() async throws {
        let (directory, input, database) = try Self.scratch("reentrybus-person-index-progress")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.records.joined(separator: "\n").utf8).write(to: input)
        let (inParts, parts) = try await Self.run(["persons", "index", "--input", input.path, "--database", database, "--progress-every", "1"])
        #expect(inParts.status == 0, "\(parts.errors.value)")
        let lines = parts.errors.value.split(separator: "\n").filter { $0.contains("records indexed") }
        #expect(lines.count == 3 && lines[0].hasPrefix("… 1 of 4 records indexed, ") && lines[2].hasPrefix("… 3 of 4 records indexed, "), "\(lines)")
        #expect(lines.allSatisfy { $0.contains(" a second, about ") && $0.hasSuffix(" left") }, "\(lines)")
        #expect(parts.output.value.contains("4 records read; events: 1 linked, 1 review-requested"), "\(parts.output.value)")

        let whole = directory.appendingPathComponent("whole.sqlite").path
        let (inOne, one) = try await Self.run(["persons", "index", "--input", input.path, "--database", whole])
        #expect(inOne.status == 0, "\(one.errors.value)")
        #expect(!one.errors.value.contains("records indexed"))
        #expect(one.output.value == parts.output.value)
        let (_, partsReview) = try await Self.run(["persons", "review", "--database", database, "--json"])
        let (_, oneReview) = try await Self.run(["persons", "review", "--database", whole, "--json"])
        #expect(partsReview.output.value == oneReview.output.value && partsReview.output.value.contains("Jonatan"))

        // A hold is told against the link threshold the service decides by: its setting.
        let settings = directory.appendingPathComponent("reentrybus.yaml")
        try Data("persons:\n  link-threshold: 0.995\n".utf8).write(to: settings)
        let (configured, configuredReview) = try await Self.run(["persons", "review", "--database", database, "--config", settings.path])
        #expect(configured.status == 0, "\(configuredReview.errors.value)")
        #expect(configuredReview.output.value.contains("the score is below the link threshold (0.995)"), "\(configuredReview.output.value)")
        let (flagged, flaggedReview) = try await Self.run(["persons", "review", "--database", database, "--link-threshold", "0.999", "--json"])
        #expect(flagged.status == 0, "\(flaggedReview.errors.value)")
        #expect(flaggedReview.output.value.contains("the score is below the link threshold (0.999)"), "\(flaggedReview.output.value)")
    }

    @Test func indexReviewLinkAndDistinctEndToEnd() async throws {
        let (directory, input, database) = try Self.scratch("reentrybus-person-index")
        defer { try? FileManager.default.removeItem(at: directory) }

        // A bad line: named with its field, nothing stored.
        let bad = Self.records + [#"{"recordId":"x1","source":"jail","familyName":"Doe","dateOfBirth":"1990-02-30"}"#]
        try Data(bad.joined(separator: "\n").utf8).write(to: input)
        let (refused, badRun) = try await Self.run(["persons", "index", "--input", input.path, "--database", database])
        #expect(refused.status != 0)
        #expect(badRun.errors.value.contains("line 5, field dateOfBirth"), "\(badRun.errors.value)")

        try Data(Self.records.joined(separator: "\n").utf8).write(to: input)
        let (indexed, index) = try await Self.run(["persons", "index", "--input", input.path, "--database", database])
        #expect(indexed == .init(status: 0, bySignal: false), "\(index.errors.value)")
        #expect(index.output.value.contains("4 records read; events: 1 linked, 1 review-requested"), "\(index.output.value)")

        let (listed, review) = try await Self.run(["persons", "review", "--database", database, "--json"])
        #expect(listed.status == 0, "\(review.errors.value)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(review.output.value.utf8)) as? [String: Any])
        let pairs = try #require(document["pairs"] as? [[String: Any]])
        #expect(pairs.count == 1)
        let pair = try #require(pairs.first)
        #expect((pair["a"] as? [String: String])?["givenName"] == "Jonathan")
        #expect((pair["b"] as? [String: String])?["givenName"] == "Jonatan")
        #expect((pair["reasons"] as? [[String: Any]])?.compactMap { $0["level"] as? String } == ["close", "agree", "swapped", "agree"])
        #expect(pair["heldBecause"] as? [String] == ["the score is below the link threshold (0.99)"])
        #expect(pair["holdCause"] as? String == "below_link_threshold" && pair["heldBy"] == nil)

        let (text, textReview) = try await Self.run(["persons", "review", "--database", database, "--limit", "5"])
        #expect(text.status == 0)
        #expect(textReview.output.value.contains("t1 (person t1) / t2 (person t2)"), "\(textReview.output.value)")
        #expect(textReview.output.value.contains("dateOfBirth"), "\(textReview.output.value)")
        #expect(textReview.output.value.contains("not linked by the model: the score is below the link threshold (0.99)"), "\(textReview.output.value)")

        // A store named without --offline: the command says which way it would go, nothing changes.
        let (ambiguous, ambiguousRun) = try await Self.run(["persons", "link", "t1", "t2", "--by", "analyst.reyes", "--database", database])
        #expect(ambiguous.status == 64)
        #expect(ambiguousRun.errors.value.contains("add --offline"), "\(ambiguousRun.errors.value)")
        let (same, sameRun) = try await Self.run(["persons", "link", "t1", "t1", "--by", "analyst.reyes", "--offline"])
        #expect(same.status == 64)
        #expect(sameRun.errors.value.contains("The two record ids are the same (t1)"), "\(sameRun.errors.value)")

        let (unknown, unknownRun) = try await Self.run(["persons", "link", "t1", "nobody", "--by", "analyst.reyes", "--offline", "--database", database])
        #expect(unknown.status != 0)
        #expect(unknownRun.errors.value.contains("no record nobody in the person index; nothing was changed"), "\(unknownRun.errors.value)")

        let (counted, stats) = try await Self.run(["persons", "stats", "--database", database])
        #expect(counted.status == 0, "\(stats.errors.value)")
        #expect(stats.output.value.contains("persons                      3"), "\(stats.output.value)")
        #expect(stats.output.value.contains("links                        1 strong identifier, 0 model, 0 human"), "\(stats.output.value)")
        #expect(stats.output.value.contains("pairs waiting for review     1 (held: 1 below link threshold)"), "\(stats.output.value)")
        #expect(stats.output.value.contains("people at least              1 (different state IDs or FBI numbers)"), "\(stats.output.value)")
        #expect(stats.output.value.contains("model                        built-in (the index learns its own from 2000 records)"), "\(stats.output.value)")
        #expect(stats.output.value.contains("name frequencies             none yet (counted at each learning"), "\(stats.output.value)")
        #expect(!stats.output.value.contains("Jonathan") && !stats.output.value.contains("Smithers"))

        let (linked, link) = try await Self.run(["persons", "link", "t1", "t2", "--by", "analyst.reyes", "--offline", "--database", database])
        #expect(linked.status == 0, "\(link.errors.value)")
        #expect(link.output.value.contains("linked t2 to person t1"), "\(link.output.value)")
        let (empty, emptyReview) = try await Self.run(["persons", "review", "--database", database])
        #expect(empty.status == 0)
        #expect(emptyReview.output.value.contains("No pairs waiting for review."))

        let (split, distinct) = try await Self.run(["persons", "distinct", "t2", "t1", "--by", "sgt.ortiz", "--offline", "--database", database])
        #expect(split.status == 0, "\(distinct.errors.value)")
        #expect(distinct.output.value.contains("decided distinct (replaces link)"), "\(distinct.output.value)")
        #expect(distinct.output.value.contains("split person t1 into t1, t2"), "\(distinct.output.value)")
    }

    /// `persons stats` checks the service's `persons.population` (`--population`, else the
    /// configuration as `serve` reads it): a population below the people the index holds
    /// different state IDs for is told on standard error (the counts still printed, exit 0);
    /// one at or above it is not; one that is no number of people is refused.
    @Test func statsWarnsOfAPopulationBelowThePeopleKnownApart() async throws {
        let (directory, input, database) = try Self.scratch("reentrybus-person-index-floor")
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = (0..<101).map { index in
            #"{"recordId":"n\#(index)","source":"doc","givenName":"Given\#(index)","familyName":"Family\#(index)","identifiers":{"stateId":"MO\#(9_000_000 + index)"}}"#
        }
        try Data(lines.joined(separator: "\n").utf8).write(to: input)
        let (indexed, index) = try await Self.run(["persons", "index", "--input", input.path, "--database", database])
        #expect(indexed.status == 0, "\(index.errors.value)")

        let (below, belowRun) = try await Self.run(["persons", "stats", "--database", database, "--population", "100"])
        #expect(below.status == 0, "\(belowRun.errors.value)")
        #expect(belowRun.output.value.contains("people at least              101"), "\(belowRun.output.value)")
        #expect(belowRun.errors.value.contains("warning: persons.population 100 is below the 101 people"), "\(belowRun.errors.value)")
        let (json, jsonRun) = try await Self.run(["persons", "stats", "--database", database, "--population", "100", "--json"])
        #expect(json.status == 0)
        #expect(jsonRun.output.value.contains(#""peopleAtLeast" : 101"#), "\(jsonRun.output.value)")
        #expect(jsonRun.errors.value.contains("warning: persons.population 100"), "\(jsonRun.errors.value)")

        let (enough, enoughRun) = try await Self.run(["persons", "stats", "--database", database, "--population", "101"])
        #expect(enough.status == 0)
        #expect(!enoughRun.errors.value.contains("warning"), "\(enoughRun.errors.value)")
        // Without --population: the service's setting, here from a configuration file (the
        // default 100,000 is far above 101 people: no warning without it).
        let (byDefault, byDefaultRun) = try await Self.run(["persons", "stats", "--database", database])
        #expect(byDefault.status == 0)
        #expect(!byDefaultRun.errors.value.contains("warning"), "\(byDefaultRun.errors.value)")
        let file = directory.appendingPathComponent("reentrybus.yaml")
        try Data("persons:\n  population: 100\n".utf8).write(to: file)
        let (configured, configuredRun) = try await Self.run(["persons", "stats", "--database", database, "--config", file.path])
        #expect(configured.status == 0, "\(configuredRun.errors.value)")
        #expect(configuredRun.errors.value.contains("warning: persons.population 100 is below the 101 people"), "\(configuredRun.errors.value)")
        let (refused, refusal) = try await Self.run(["persons", "stats", "--database", database, "--population", "ten"])
        #expect(refused.status == 64)
        #expect(refusal.errors.value.contains("population"), "\(refusal.errors.value)")
    }

    /// `--population`: the prior of the people the records describe, as the service's
    /// `persons.population`. The typo and swapped date that wait for review among 100,000
    /// people (the test above) link among 6,000; a population that is no number of people is
    /// refused before anything is read.
    @Test func indexTakesThePopulationItServes() async throws {
        let (directory, input, database) = try Self.scratch("reentrybus-person-index-population")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.records.prefix(2).joined(separator: "\n").utf8).write(to: input)

        let (refused, refusal) = try await Self.run(["persons", "index", "--input", input.path, "--database", database, "--population", "50"])
        #expect(refused.status == 64)
        #expect(refusal.errors.value.contains("--population must be a whole number of people from 100"), "\(refusal.errors.value)")
        #expect(!FileManager.default.fileExists(atPath: database))

        let (indexed, index) = try await Self.run(["persons", "index", "--input", input.path, "--database", database, "--population", "6000"])
        #expect(indexed == .init(status: 0, bySignal: false), "\(index.errors.value)")
        #expect(index.output.value.contains("2 records read; events: 1 linked"), "\(index.output.value)")
    }
}
