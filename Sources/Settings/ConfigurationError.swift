/// Why a configuration cannot be used. Every case names the setting and where it came from
/// (the file and line, the environment variable or the flag), so the message says what to fix.
///
/// No case carries a value that was read: a secret put in the wrong place, or a database URL
/// with its password, can never be printed through an error.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file cannot be read (missing, not readable, not UTF-8).
    case unreadableFile(path: String, reason: String)
    /// The configuration file is not valid YAML, or its top level is not a mapping of settings.
    case malformedFile(path: String, line: Int?, reason: String)
    /// The file has a key that is not a setting. `hint` lists what is allowed there.
    case unknownKey(key: String, file: String, line: Int?, hint: String)
    /// The file gives a key the wrong kind of value (a list where one value goes, a value where
    /// a section goes, a key twice).
    case wrongType(key: String, file: String, line: Int?, expected: String, found: String)
    /// A value does not parse or cannot work (`reason` says what is expected).
    case invalidValue(key: ConfigurationKey, source: ConfigurationSource, reason: String)
    /// Two settings contradict each other (`reason` says how to resolve it).
    case conflict(key: ConfigurationKey, source: ConfigurationSource, reason: String)
    /// A secret the other settings require is not set: `requiredBy` (from `requiredBySource`)
    /// needs `key`. `file` is the configuration file in use, if any.
    case missingSecret(key: ConfigurationKey, requiredBy: String, requiredBySource: ConfigurationSource, file: String?)
    /// A setting is required and not set (`reason` says why it is needed).
    case missingSetting(key: ConfigurationKey, reason: String, file: String?)
    /// A file named by a setting (a secret file, a certificate) cannot be read.
    case unreadableReferencedFile(key: ConfigurationKey, source: ConfigurationSource, path: String, reason: String)

    /// The setting concerned, as spelled in the file (`kafka.sasl.password`), or `nil` when the
    /// error concerns the whole file.
    public var key: String? {
        switch self {
        case .unreadableFile, .malformedFile: nil
        case .unknownKey(let key, _, _, _), .wrongType(let key, _, _, _, _): key
        case .invalidValue(let key, _, _), .conflict(let key, _, _), .missingSecret(let key, _, _, _),
            .missingSetting(let key, _, _), .unreadableReferencedFile(let key, _, _, _):
            key.name
        }
    }

    /// The configuration file concerned, if any.
    public var file: String? {
        switch self {
        case .unreadableFile(let path, _), .malformedFile(let path, _, _): path
        case .unknownKey(_, let file, _, _), .wrongType(_, let file, _, _, _): file
        case .invalidValue(_, let source, _), .conflict(_, let source, _), .unreadableReferencedFile(_, let source, _, _):
            source.file
        case .missingSecret(_, _, let source, let file): source.file ?? file
        case .missingSetting(_, _, let file): file
        }
    }

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "configuration file \(path): \(reason)"
        case .malformedFile(let path, let line, let reason):
            return "\(Self.location(path, line)): \(reason)"
        case .unknownKey(let key, let file, let line, let hint):
            return "\(Self.location(file, line)): unknown key \(key); \(hint)"
        case .wrongType(let key, let file, let line, let expected, let found):
            return "\(Self.location(file, line)): \(key): expected \(expected), found \(found)"
        case .invalidValue(let key, let source, let reason), .conflict(let key, let source, let reason):
            return "\(Self.subject(key.name, source)): \(reason)"
        case .unreadableReferencedFile(let key, let source, let path, let reason):
            return "\(Self.subject(key.name, source)): \(path): \(reason)"
        case .missingSecret(let key, let requiredBy, let source, let file):
            return "\(Self.subject(requiredBy, source)): needs the secret \(key.name), which is not set; "
                + Self.howToSet(key, file: file)
        case .missingSetting(let key, let reason, let file):
            return "\(key.name) is not set, and \(reason); " + Self.howToSet(key, file: file)
        }
    }

    /// `path:line`, or `path` when the line is unknown.
    private static func location(_ path: String, _ line: Int?) -> String {
        line.map { "\(path):\($0)" } ?? path
    }

    /// `file:line: key`, `key (environment VAR)`, `key (--flag)` or `key`.
    private static func subject(_ key: String, _ source: ConfigurationSource) -> String {
        switch source {
        case .file(let path, let line): "\(location(path, line)): \(key)"
        case .environment(let name): "\(key) (environment \(name))"
        case .flag(let name): "\(key) (\(name))"
        case .defaultValue: key
        }
    }

    /// Where a missing setting can be given: its environment variables, then its file key.
    private static func howToSet(_ key: ConfigurationKey, file: String?) -> String {
        let alternatives: [ConfigurationKey] = switch key {
        case .saslPassword, .saslPasswordFile: [.saslPassword, .saslPasswordFile]
        case .notificationKey, .notificationKeyFile: [.notificationKey, .notificationKeyFile]
        default: [key]
        }
        var ways: [String] = []
        let variables = alternatives.compactMap(\.environmentVariable)
        if !variables.isEmpty { ways.append("set " + variables.joined(separator: " or ")) }
        for fileKey in alternatives.filter(\.isFileKey) {
            ways.append("\(ways.isEmpty ? "set" : "or") \(fileKey.name) in \(file ?? "the configuration file")")
        }
        return ways.joined(separator: ", ")
    }
}
