import Foundation
import Yams

/// One value as a layer (file, environment, flags) gives it, before it is parsed.
struct RawSetting: Sendable, Equatable {
    var text: String
    var source: ConfigurationSource
}

/// A YAML configuration file, read and checked key by key: every key must be a setting
/// (`ConfigurationKey`) in its section, every setting a single value (the bootstrap servers may
/// also be a list). Values are parsed later, with the environment and flags over them, so an
/// error names the line of the value that won.
///
/// An empty file, an empty section and a key without a value (`key:` or `key: ~`) set nothing.
/// A dotted key (`kafka.bootstrap: …` at the top level) is the same as the nested form.
public struct ConfigurationFile: Sendable {
    /// The path the file was read from, as given.
    public let path: String
    let settings: [ConfigurationKey: RawSetting]

    /// Reads and checks the file at `path`.
    public init(path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "cannot be read (missing, or not readable by this user)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "is not UTF-8 text")
        }
        try self.init(path: path, text: text)
    }

    /// Checks `text` as the content of the file at `path`.
    public init(path: String, text: String) throws(ConfigurationError) {
        self.path = path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            // YamlError's own description quotes the offending line, which may hold a secret:
            // only libyaml's problem and its position are kept.
            throw Self.malformed(path: path, error)
        } catch {
            throw .malformedFile(path: path, line: nil, reason: "not valid YAML")
        }
        var settings: [ConfigurationKey: RawSetting] = [:]
        if let root {
            guard case .mapping = root else {
                throw .malformedFile(
                    path: path, line: root.mark?.line, reason: "the top level must be a mapping of settings (key: value), not \(Self.kind(of: root))")
            }
            try Self.collect(root, section: "", file: path, into: &settings)
        }
        self.settings = settings
    }

    /// The settings the file gives, as text, with their lines: for tests and `config check`.
    public var values: [ConfigurationKey: String] { settings.mapValues(\.text) }

    private static func collect(
        _ node: Node, section: String, file: String, into settings: inout [ConfigurationKey: RawSetting]
    ) throws(ConfigurationError) {
        guard case .mapping(let mapping) = node else {
            throw .wrongType(key: section, file: file, line: node.mark?.line, expected: "a section of settings (key: value lines)", found: kind(of: node))
        }
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw .wrongType(
                    key: section.isEmpty ? "(top level)" : section, file: file, line: keyNode.mark?.line,
                    expected: "a key name", found: kind(of: keyNode))
            }
            let path = section.isEmpty ? keyScalar.string : "\(section).\(keyScalar.string)"
            let line = keyNode.mark?.line ?? value.mark?.line
            guard seen.insert(keyScalar.string).inserted else {
                throw .wrongType(key: path, file: file, line: line, expected: "one value", found: "the key a second time")
            }
            if ConfigurationKey.sections.contains(path) {
                if isNull(value) { continue }
                try collect(value, section: path, file: file, into: &settings)
            } else if let key = ConfigurationKey.byFilePath[path] {
                // `kafka.bootstrap:` at the top level is the same key as `bootstrap:` under `kafka:`.
                guard settings[key] == nil else {
                    throw .wrongType(key: path, file: file, line: line, expected: "one value", found: "the key a second time")
                }
                if let text = try text(of: value, key: key, file: file, line: line) {
                    settings[key] = RawSetting(text: text, source: .file(path: file, line: line))
                }
            } else {
                throw .unknownKey(key: path, file: file, line: line, hint: hint(forUnknown: path, in: section))
            }
        }
    }

    /// A setting's text: a scalar; for the bootstrap servers and the webhooks' allow list also a
    /// list of scalars (joined with commas); nil for a null.
    private static func text(of node: Node, key: ConfigurationKey, file: String, line: Int?) throws(ConfigurationError) -> String? {
        switch node {
        case .scalar(let scalar):
            return isNull(node) ? nil : scalar.string
        case .sequence(let sequence) where key == .bootstrap || key == .gatewayWebhooksAllow:
            var servers: [String] = []
            for element in sequence {
                guard case .scalar(let scalar) = element else {
                    let expected = key == .bootstrap ? "HOST:PORT entries" : "CIDR ranges or host names"
                    throw .wrongType(key: key.name, file: file, line: element.mark?.line ?? line, expected: expected, found: kind(of: element))
                }
                servers.append(scalar.string)
            }
            return servers.joined(separator: ",")
        case .sequence, .mapping:
            let expected = key == .bootstrap ? "HOST:PORT[,HOST:PORT…] or a list of HOST:PORT" : "a single value"
            throw .wrongType(key: key.name, file: file, line: line, expected: expected, found: kind(of: node))
        }
    }

    private static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private static func kind(of node: Node) -> String {
        switch node {
        case .scalar: "a single value"
        case .sequence: "a list"
        case .mapping: "a section (key: value lines)"
        }
    }

    private static func hint(forUnknown path: String, in section: String) -> String {
        if let key = ConfigurationKey(rawValue: path), !key.isFileKey {
            let fileKey = key == .saslPassword ? ConfigurationKey.saslPasswordFile : .notificationKeyFile
            return "secrets stay out of the configuration file: set \(fileKey.name) to a file holding it, "
                + "or the environment variable \(key.environmentVariable ?? fileKey.environmentVariable ?? "")"
        }
        let allowed = ConfigurationKey.children(of: section)
        return "allowed \(section.isEmpty ? "at the top level" : "under \(section)"): \(allowed.joined(separator: ", "))"
    }

    private static func malformed(path: String, _ error: YamlError) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let reason = "not valid YAML: \(problem)" + (context.map { " (\($0.text))" } ?? "")
            return .malformedFile(path: path, line: mark.line, reason: reason)
        case .reader(let problem, _, _, _):
            return .malformedFile(path: path, line: nil, reason: "not valid YAML: \(problem)")
        default:
            return .malformedFile(path: path, line: nil, reason: "not valid YAML")
        }
    }
}
