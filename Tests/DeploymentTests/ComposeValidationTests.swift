import Foundation
import Testing

/// docker-compose.yml cannot be started here (no Docker engine), so it is checked on paper by two
/// independent readers: Debian's docker-compose, and the Compose Specification's JSON Schema.
@Suite("docker-compose.yml is a valid compose file", .timeLimit(.minutes(2)))
struct ComposeValidationTests {
    /// An unknown service key, as a typo would make it: both checks must refuse it.
    static let unknownKey = "helthcheck"

    static func fileWithUnknownKey() throws -> String {
        try #require(
            inserting("    \(unknownKey): {}", after: "  router:", in: try composeText()),
            "docker-compose.yml has no `  router:` line to add the unknown key to")
    }

    @Test(
        "docker-compose config accepts the file",
        .enabled(if: dockerCompose != nil, "docker-compose is not installed (scripts/install-deps.sh installs Debian's)"))
    func dockerComposeAccepts() async throws {
        let result = try await dockerComposeConfig(try #require(dockerCompose), file: composeURL)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the file validates against the Compose Specification's JSON Schema (draft-07)")
    func schemaAccepts() async throws {
        let result = try await validateAgainstComposeSpecification(try loadCompose())
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("valid"), "\(result.output)")
    }

    @Test(
        "docker-compose config rejects a service key it does not know (the check can fail)",
        .enabled(if: dockerCompose != nil, "docker-compose is not installed (scripts/install-deps.sh installs Debian's)"))
    func dockerComposeRejectsUnknownKey() async throws {
        let executable = try #require(dockerCompose)
        let result = try await withTemporaryFile(try Self.fileWithUnknownKey(), named: "docker-compose.yml") { file in
            try await dockerComposeConfig(executable, file: file)
        }
        #expect(result.status != 0)
        #expect(result.output.contains("services.router"), "\(result.output)")
        #expect(result.output.contains(Self.unknownKey), "\(result.output)")
    }

    @Test("the JSON Schema rejects a service key the specification does not define (the check can fail)")
    func schemaRejectsUnknownKey() async throws {
        let result = try await validateAgainstComposeSpecification(try loadCompose(try Self.fileWithUnknownKey()))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("$.services.router: additionalProperties"), "\(result.output)")
        #expect(result.output.contains("'\(Self.unknownKey)'"), "\(result.output)")
    }
}
