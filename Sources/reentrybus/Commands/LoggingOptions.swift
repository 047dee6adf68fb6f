import ArgumentParser
import Logging

/// Logging flags shared by every subcommand. Logs go to standard error, so standard output
/// stays for the command's own results.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    /// A logger for `label`, after bootstrapping swift-log once per process.
    func logger(_ label: String) -> Logger {
        LoggingOptions.bootstrapOnce
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }

    private static let bootstrapOnce: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
