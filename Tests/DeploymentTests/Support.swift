import Foundation
import Testing

/// The repository's root folder (this file is Tests/DeploymentTests/Support.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let composeURL = repositoryRoot.appendingPathComponent("docker-compose.yml")
let dockerfileURL = repositoryRoot.appendingPathComponent("Dockerfile")
/// The Compose Specification's schema, copied beside the tests (see compose-spec/SOURCE.md).
let composeSchemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("compose-spec/compose-spec.json")
let validatorScriptURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("validate_compose.py")

/// Debian's docker-compose (1.29.2), which checks a file without a Docker engine; `nil` when it
/// is not installed (scripts/install-deps.sh installs it).
let dockerCompose = ExternalTool.find("docker-compose")

func readText(_ url: URL) throws -> String {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw ComposeFileError(path: url.path, reason: "cannot be read")
    }
    return String(decoding: data, as: UTF8.self)
}

func composeText() throws -> String { try readText(composeURL) }

/// The repository's docker-compose.yml, or a changed copy of it, parsed.
func loadCompose(_ text: String? = nil) throws -> ComposeFile {
    try ComposeFile(text: text ?? composeText(), file: "docker-compose.yml", directory: repositoryRoot)
}

/// `text` with `inserted` as a new line after the first line equal to `line`; `nil` if there is none.
func inserting(_ inserted: String, after line: String, in text: String) -> String? {
    var lines = text.components(separatedBy: "\n")
    guard let index = lines.firstIndex(of: line) else { return nil }
    lines.insert(inserted, at: index + 1)
    return lines.joined(separator: "\n")
}

/// Writes `text` to a new temporary file, runs `body` with its URL, and removes it.
func withTemporaryFile<T>(_ text: String, named name: String, _ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deployment-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return try await body(url)
}

/// `docker-compose config -q` on `file`, relative paths (build context, env_file, secrets)
/// taken from the repository, as for the real file.
func dockerComposeConfig(_ executable: URL, file: URL) async throws -> ExternalTool.Result {
    try await ExternalTool.run(
        executable, ["--project-directory", repositoryRoot.path, "--file", file.path, "config", "--quiet"], in: repositoryRoot)
}

/// validate_compose.py (Python's jsonschema, Draft7Validator) on a parsed compose file.
func validateAgainstComposeSpecification(_ compose: ComposeFile) async throws -> ExternalTool.Result {
    let result = try await withTemporaryFile(compose.document.description, named: "compose.json") { document in
        try await ExternalTool.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", validatorScriptURL.path, composeSchemaURL.path, document.path])
    }
    if result.status == 3 {
        Issue.record("Python's jsonschema package is missing; scripts/install-deps.sh installs it: \(result.output)")
    }
    return result
}

/// A copy of `deploy/make-secrets.sh` in a temporary folder shaped like the repository (so the
/// files it writes land in that folder's `deploy/secrets/`): `body` gets the folder and the
/// script; the folder is removed afterwards.
func withCopyOfSecretsScript<T>(_ body: (_ root: URL, _ script: URL) async throws -> T) async throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("deployment-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root.appendingPathComponent("deploy"), withIntermediateDirectories: true)
    let script = root.appendingPathComponent("deploy/make-secrets.sh")
    try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("deploy/make-secrets.sh"), to: script)
    return try await body(root, script)
}
