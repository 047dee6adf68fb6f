import Foundation
import PersonIndex
import TestSupport
import Testing

/// `reentrybus persons resolve`, run as a user runs it.
@Suite("reentrybus persons resolve on the command line")
struct ResolveCommandTests {
    private static func run(_ arguments: [String]) async throws -> (ChildProcess.Termination, ChildProcess) {
        try await runPersonsCommand(arguments)
    }

    private static let records = [
        #"{"recordId":"j1","source":"jail","givenName":"William","familyName":"Garcia-Lopez","dateOfBirth":"1985-03-07","sex":"M","address":{"line1":"12 North Main Street","postalCode":"62701"}}"#,
        #"{"recordId":"p1","source":"police","givenName":"Bill","familyName":"Garcia Lopez","dateOfBirth":"1985-07-03","sex":"M","address":{"line1":"12 N Main St","postalCode":"62701"}}"#,
        #"{"recordId":"d1","source":"doc","givenName":"Mary","familyName":"Smith","identifiers":{"stateId":"IL-123"}}"#,
        #"{"recordId":"p2","source":"police","givenName":"Marie","familyName":"Smyth","identifiers":{"stateId":"il123"}}"#,
    ]

    @Test func writesLinkedPairsAndNothingForABadLine() async throws {
        let directory = temporaryDirectory("reentrybus-persons")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("records.ndjson"), output = directory.appendingPathComponent("links.ndjson")
        try Data(Self.records.joined(separator: "\n").utf8).write(to: input)

        let (done, resolve) = try await Self.run(["persons", "resolve", "--input", input.path, "--output", output.path])
        #expect(done == .init(status: 0, bySignal: false), "\(resolve.errors.value)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        let pairs = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(pairs.map { "\($0["a"] ?? "")-\($0["b"] ?? "") \($0["decision"] ?? "")" } == ["j1-p1 link", "d1-p2 link"])
        #expect(pairs.last?["score"] as? Double == 1)
        #expect(resolve.errors.value.contains("2 links (1 by identifier)"), "\(resolve.errors.value)")

        try FileManager.default.removeItem(at: output)
        let bad = Self.records + [#"{"recordId":"x1","source":"jail","familyName":"Doe","identifiers":{"passport":"P1"}}"#]
        try Data(bad.joined(separator: "\n").utf8).write(to: input)
        let (refused, again) = try await Self.run(["persons", "resolve", "--input", input.path, "--output", output.path])
        #expect(refused.status != 0)
        #expect(again.errors.value.contains("line 5, field identifiers.passport: unknown identifier type"), "\(again.errors.value)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
