/// Where an effective setting came from; what `config check` prints beside each value and what
/// every error names, so the user knows which line or variable to fix.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// Nothing set it: the built-in default.
    case defaultValue
    /// The configuration file, at this line (1-based) when known.
    case file(path: String, line: Int?)
    /// An environment variable.
    case environment(String)
    /// A command-line flag, such as `--bootstrap`.
    case flag(String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path, let line): line.map { "\(path):\($0)" } ?? path
        case .environment(let name): "environment \(name)"
        case .flag(let name): name
        }
    }

    /// The configuration file, when the setting came from one.
    public var file: String? {
        if case .file(let path, _) = self { return path }
        return nil
    }

    /// Higher wins: flag > environment > file > default.
    var precedence: Int {
        switch self {
        case .defaultValue: 0
        case .file: 1
        case .environment: 2
        case .flag: 3
        }
    }
}
