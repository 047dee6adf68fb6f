import Foundation
import LocalPostgres
import Testing
import TestSupport

/// The gateway fuzzed from its own OpenAPI document by an independent tool: schemathesis
/// (pinned, in a virtual environment `scripts/schemathesis.sh` makes) runs every operation of
/// `/openapi.json` of a `reentrybus dev` it starts, as two demo users, and fails on any 5xx.
@Suite(.serialized, .timeLimit(.minutes(20)))
struct SchemathesisTests {
    @Test("schemathesis finds no server error in any operation")
    func noServerError() async throws {
        let binary = try #require(BuildProducts.executable("reentrybus"), "build the reentrybus executable with the tests")
        let script = repositoryRoot.appendingPathComponent("scripts/schemathesis.sh")
        let run = try ChildProcess(URL(fileURLWithPath: "/bin/bash"), [script.path, binary.path], name: "schemathesis.sh")
        let termination = await run.waitForExit()
        let output = run.output.value
        #expect(termination == ChildProcess.Termination(status: 0, bySignal: false), "\(output.suffix(6_000))\n\(run.lastErrorLines(40))")
        // Both runs happened and tested operations (not an empty document or a refused start).
        #expect(output.components(separatedBy: "Test cases:").count >= 3, "\(output.suffix(6_000))")
    }
}
