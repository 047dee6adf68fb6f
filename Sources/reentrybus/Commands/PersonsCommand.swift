import ArgumentParser
import Foundation
import PersonIndex

/// `reentrybus persons …`: the person index's matcher offline, and its store with the review queue (no Kafka yet).
struct PersonsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persons",
        abstract: "Link one person's records across agencies (offline, without the bus), and review the doubtful pairs.",
        subcommands: [PersonsResolve.self, PersonsIndex.self, PersonsReview.self, PersonsLink.self, PersonsDistinct.self, PersonsStats.self])
}

/// `persons resolve --input RECORDS.ndjson --output LINKS.ndjson`.
struct PersonsResolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Score every plausible pair of records and write the linked and doubtful ones.",
        discussion: """
            Input: one JSON object a line: recordId, source, givenName, familyName, optional aliases \
            (full names), dateOfBirth (YYYY-MM-DD), sex (M, F, X, U), address {line1, line2, city, state, \
            postalCode}, identifiers {stateId, fbiNumber, ssn, docNumber, docState, bookingNumber, rmsNumber}. \
            A malformed line stops the run naming its line and field; nothing is written then. Records of \
            one source are compared with each other too. Output: one line per pair decided link or review: \
            {"a", "b", "score" (match probability; 1 for a shared strong identifier), "decision"}; a pair \
            scored for review whose records other links joined into one person is written link. \
            The model is estimated from the input itself (EM); the same input gives the same output.
            """)

    @Option(help: "Records, NDJSON.")
    var input: String

    @Option(help: "Where to write the pairs, NDJSON (replaced only after a successful run).")
    var output: String

    @Option(help: "Match probability from which a pair is linked.")
    var linkThreshold = ResolverConfiguration().linkThreshold

    @Option(help: "Match probability from which a pair not linked goes to review.")
    var reviewThreshold = ResolverConfiguration().reviewThreshold

    func validate() throws {
        var configuration = ResolverConfiguration()
        configuration.linkThreshold = linkThreshold
        configuration.reviewThreshold = reviewThreshold
        if let problem = configuration.problems.first { throw ValidationError(problem.prefix(1).uppercased() + problem.dropFirst() + ".") }
    }

    func run() throws {
        let records = try PersonsInputError.records(in: input, otherwise: "nothing was written")
        var configuration = ResolverConfiguration()
        configuration.linkThreshold = linkThreshold
        configuration.reviewThreshold = reviewThreshold
        let start = ContinuousClock.now
        let resolution = PersonResolver(configuration: configuration).resolve(records) { progress in
            switch progress {
            case .blocked(let records, let pairs): Self.progress("\(records) records, \(pairs) candidate pairs")
            case .compared(let done, let total): Self.progress("compared \(done) of \(total) pairs")
            case .estimated(let iterations, let converged):
                Self.progress("model estimated in \(iterations) EM rounds\(converged ? "" : " (not converged)")")
            }
        }
        var text = ""
        for pair in resolution.pairs { text += try pair.jsonLine() + "\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        let statistics = resolution.statistics
        let persons = Set(resolution.personIds).count
        Self.progress(
            "\(statistics.links) links (\(statistics.linksByIdentifier) by identifier), \(statistics.reviews) for review, "
                + "\(persons) persons, in \(start.duration(to: .now))"
                + (statistics.oversizedBlocks > 0 ? "; \(statistics.oversizedBlocks) oversized blocks not compared" : "")
                + (statistics.learntMSetAside.map { "; the m EM learnt was set aside for the built-in m (\($0))" } ?? ""))
    }

    private static func progress(_ text: String) {
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }
}

/// A refused input file, printed as `Error: …` without the usage text.
struct PersonsInputError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }

    /// The records of an NDJSON file (`--input`); a file that cannot be read or a malformed
    /// line is an error naming the file (and the line and field), ending with `consequence`.
    static func records(in input: String, otherwise consequence: String) throws -> [PersonRecord] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: input))
        } catch {
            throw PersonsInputError(text: "cannot read --input \(input): \(error.localizedDescription)")
        }
        do {
            return try PersonRecordReader.read(data)
        } catch {
            throw PersonsInputError(text: "\(input): \(error.description); \(consequence)")
        }
    }
}
