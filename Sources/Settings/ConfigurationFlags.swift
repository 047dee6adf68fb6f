/// The command-line layer of the configuration: the flags a command was given, which win over
/// the environment and the file. A command sets only the flags the user typed (its options have
/// no defaults of their own; the defaults are `BusConfiguration.Defaults`).
public struct ConfigurationFlags: Sendable {
    /// `--config FILE` (or `config check FILE`), which wins over `REENTRYBUS_CONFIG`.
    public var configurationFile: String?
    private(set) var values: [ConfigurationKey: RawSetting] = [:]

    public init(configurationFile: String? = nil) {
        self.configurationFile = configurationFile
    }

    /// Sets `key` from the flag spelled `flag` (`--bootstrap`) when `value` is not nil.
    public mutating func set(_ key: ConfigurationKey, _ value: String?, flag: String) {
        guard let value else { return }
        values[key] = RawSetting(text: value, source: .flag(flag))
    }

    /// Sets `key` from a numeric flag when `value` is not nil.
    public mutating func set(_ key: ConfigurationKey, _ value: Double?, flag: String) {
        set(key, value.map { $0.rounded() == $0 && abs($0) < 1e15 ? String(Int64($0)) : String($0) }, flag: flag)
    }
}
