/// One line of the effective configuration as `config check` prints it: the setting, its value
/// as printed (a secret masked, a database URL with its password masked, `(not set)`), and
/// where it came from.
public struct EffectiveSetting: Sendable, Equatable {
    public let key: ConfigurationKey
    /// Never a secret's value.
    public let printedValue: String
    public let source: ConfigurationSource

    /// What an unset optional setting prints.
    public static let notSet = "(not set)"
}

/// A setting some layer gave that the command does not use: which one and where it was set,
/// never its value (it may be a secret).
public struct UnusedSetting: Sendable, Equatable, CustomStringConvertible {
    public let key: ConfigurationKey
    public let source: ConfigurationSource

    /// `key (source)`, as a log line names it.
    public var description: String { "\(key.name) (\(source))" }
}
