import ArgumentParser
import Settings
import Foundation
import Logging

/// Logging flags shared by every subcommand. Logs go to standard error, so standard output
/// stays for the command's own results. The flags win over `REENTRYBUS_LOG_LEVEL` and
/// `REENTRYBUS_LOG_FORMAT`, which win over the configuration file's `log:` section (for the
/// commands that read one) and the defaults (info, text).
struct LoggingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Log level: trace, debug, info, notice, warning, error or critical (default: info).", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("Log format: text, or json for one JSON object per line (default: text).", valueName: "format"))
    var logFormat: String?

    func validate() throws {
        do {
            _ = try settings()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The flags over the environment over the defaults.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> LogSettings {
        try LogSettings(level: logLevel, format: logFormat, environment: environment)
    }

    /// Sets the flags' layer of a configuration that also reads a file.
    func apply(to flags: inout ConfigurationFlags) {
        flags.set(.logLevel, logLevel, flag: "--log-level")
        flags.set(.logFormat, logFormat, flag: "--log-format")
    }

    /// A logger for `label` with the level and format of `configuration`.
    func logger(_ label: String, _ configuration: BusConfiguration) -> Logger {
        LoggingOptions.bootstrapOnce
        return configuration.log.logger(label: label)
    }

    /// Loggers made here carry their own handler; this only sends loggers that libraries make
    /// for themselves to standard error rather than standard output.
    private static let bootstrapOnce: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
}
