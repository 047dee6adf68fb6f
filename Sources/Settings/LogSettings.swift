import Logging

/// The log level and format of a process.
public struct LogSettings: Sendable, Equatable {
    public var level: Logger.Level
    public var format: LogFormat

    public init(level: Logger.Level = BusConfiguration.Defaults.logLevel, format: LogFormat = BusConfiguration.Defaults.logFormat) {
        self.level = level
        self.format = format
    }

    /// Flag > environment (`REENTRYBUS_LOG_LEVEL`, `REENTRYBUS_LOG_FORMAT`) > default, without
    /// the configuration file: what the logging flags are checked against as the command line
    /// is parsed. Only the two variables are read, so other settings in the environment cannot
    /// stop the check.
    public init(level: String?, format: String?, environment: [String: String]) throws(ConfigurationError) {
        var flags = ConfigurationFlags()
        flags.set(.logLevel, level, flag: "--log-level")
        flags.set(.logFormat, format, flag: "--log-format")
        let variables = Set([ConfigurationKey.logLevel, .logFormat].compactMap(\.environmentVariable))
        self = try BusConfiguration(flags: flags, environment: environment.filter { variables.contains($0.key) }).log
    }

    /// A logger at this level, in this format, to standard error.
    public func logger(label: String) -> Logger {
        format.makeLogger(label: label, level: level)
    }
}

extension BusConfiguration {
    /// The log level and format.
    public var log: LogSettings { LogSettings(level: logLevel, format: logFormat) }
}
