import Contracts
import Foundation

/// A compose file as the deployment tests read it: the parsed document (for the JSON Schema) and,
/// per service, the settings they check, in one shape whichever of compose's spellings the file
/// uses (a command as a list or a string, an environment as a mapping or `KEY=VALUE` lines, …).
///
/// YAML is read as the contracts are (`JSONValue(yaml:file:)`: YAML 1.2 core scalars, aliases
/// expanded). docker-compose reads YAML 1.1, where `no` is `false`; the file quotes such values,
/// and `docker-compose config` checks the file as compose itself reads it.
struct ComposeFile {
    /// What the tests check of one service.
    struct Service {
        var name: String
        var image: String?
        /// The entrypoint the file sets instead of the image's; empty when it sets none.
        var entrypoint: [String]
        /// The arguments after the entrypoint; empty when the file sets none.
        var command: [String]
        /// `env_file` entries, then `environment` over them, as compose merges them.
        var environment: [String: String]
        /// The names of the compose secrets the service mounts (at `/run/secrets/<name>`).
        var secrets: [String]
        /// The healthcheck's `test`, a string test as `["CMD-SHELL", text]`; empty when none.
        var healthcheck: [String]
        var restart: String?
        /// Each service this one waits for, with its condition (`service_started` when a list).
        var dependsOn: [String: String]
        var volumes: [String]
        /// `profiles`: a service with one is started only when asked for (`docker compose run`).
        var profiles: [String] = []
    }

    /// The whole document, as the schema check sees it.
    var document: JSONValue
    var services: [String: Service]
    /// Top-level `secrets`: name → the file it is read from, as written.
    var secretFiles: [String: String]

    /// Parses `text`; `directory` is where relative `env_file` paths start (the project directory).
    init(text: String, file: String, directory: URL) throws {
        let document = try JSONValue(yaml: text, file: file)
        self.document = document
        guard case .object(let top) = document else { throw ComposeFileError(path: "$", reason: "not a mapping") }
        guard case .object(let serviceNodes)? = top["services"] else {
            throw ComposeFileError(path: "$.services", reason: "missing or not a mapping")
        }
        var services: [String: Service] = [:]
        for (name, node) in serviceNodes {
            services[name] = try Self.service(name, node, directory: directory)
        }
        self.services = services
        var secretFiles: [String: String] = [:]
        if case .object(let secretNodes)? = top["secrets"] {
            for (name, node) in secretNodes {
                if let file = node["file"].flatMap(Self.text) { secretFiles[name] = file }
            }
        }
        self.secretFiles = secretFiles
    }

    /// The services whose command starts with `prefix` (e.g. `["serve", "router"]`).
    func services(running prefix: [String]) -> [Service] {
        services.values.filter { $0.command.starts(with: prefix) }.sorted { $0.name < $1.name }
    }

    /// The services of the profile `tools`: commands run on demand (`docker compose run --rm
    /// operator ack …`), each logging in to Kafka as a user of its own.
    var tools: [Service] {
        services.values.filter { $0.profiles.contains("tools") }.sorted { $0.name < $1.name }
    }

    /// The services of an image whose name starts with `prefix` (e.g. `apache/kafka:`).
    func services(image prefix: String) -> [Service] {
        services.values.filter { $0.image?.hasPrefix(prefix) == true }.sorted { $0.name < $1.name }
    }

    /// The Kafka brokers: `apache/kafka` services with a node id (the acls job runs the same
    /// image for its tools).
    var kafkaBrokers: [Service] {
        services(image: "apache/kafka:").filter { $0.environment["KAFKA_NODE_ID"] != nil }
    }

    private static func service(_ name: String, _ node: JSONValue, directory: URL) throws -> Service {
        let path = "$.services.\(name)"
        var environment: [String: String] = [:]
        for file in strings(node["env_file"], objectKey: "path") {
            environment.merge(try environmentFile(directory.appendingPathComponent(file), path: "\(path).env_file")) { $1 }
        }
        switch node["environment"] {
        case .object(let members)?:
            for (key, value) in members { environment[key] = text(value) ?? "" }
        case .array(let lines)?:
            for line in lines.compactMap(text) {
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
        case nil: break
        default: throw ComposeFileError(path: "\(path).environment", reason: "neither a mapping nor a list")
        }
        var dependsOn: [String: String] = [:]
        switch node["depends_on"] {
        case .object(let members)?:
            for (other, condition) in members { dependsOn[other] = condition["condition"].flatMap(text) ?? "service_started" }
        case .array(let names)?:
            for other in names.compactMap(text) { dependsOn[other] = "service_started" }
        default: break
        }
        var healthcheck = strings(node["healthcheck"]?["test"], objectKey: nil)
        if case .string(let shell)? = node["healthcheck"]?["test"] { healthcheck = ["CMD-SHELL", shell] }
        return Service(
            name: name, image: node["image"].flatMap(text), entrypoint: commandWords(node["entrypoint"]),
            command: commandWords(node["command"]),
            environment: environment, secrets: strings(node["secrets"], objectKey: "source"),
            healthcheck: healthcheck, restart: node["restart"].flatMap(text), dependsOn: dependsOn,
            volumes: strings(node["volumes"], objectKey: "source"), profiles: strings(node["profiles"], objectKey: nil))
    }

    /// A list of strings, or of mappings whose `objectKey` is the string, or one string.
    private static func strings(_ node: JSONValue?, objectKey: String?) -> [String] {
        switch node {
        case .string(let single)?: return [single]
        case .array(let elements)?:
            return elements.compactMap { element in
                if let value = text(element) { return value }
                return objectKey.flatMap { element[$0] }.flatMap(text)
            }
        default: return []
        }
    }

    private static func commandWords(_ node: JSONValue?) -> [String] {
        switch node {
        case .string(let line)?: return line.split(separator: " ").map(String.init)
        case .array(let words)?: return words.compactMap(text)
        default: return []
        }
    }

    /// A scalar as compose passes it to a container (numbers and booleans as written).
    static func text(_ node: JSONValue) -> String? {
        switch node {
        case .string(let value): value
        case .number(let number): number.description
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    /// `KEY=VALUE` lines; blank lines and `#` comments skipped, as compose reads an `env_file`.
    private static func environmentFile(_ url: URL, path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ComposeFileError(path: path, reason: "cannot read \(url.path)")
        }
        var variables: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            variables[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return variables
    }
}

/// A compose file the tests cannot read as a compose file: where, and why.
struct ComposeFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}
