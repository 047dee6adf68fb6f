import ArgumentParser
import Settings
import Foundation

/// `--config FILE` (else `$REENTRYBUS_CONFIG`): the configuration file of the commands that
/// talk to a Kafka cluster (`serve`, `topics apply`, `publish`). Their flags win over the
/// environment, which wins over the file, which wins over the defaults.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "A YAML configuration file (else $REENTRYBUS_CONFIG); see `reentrybus config check`.", valueName: "file"))
    var file: String?

    /// The effective configuration, with `setFlags` adding the command's own flags (and the
    /// logging flags). A configuration error is printed, naming the setting and where it was
    /// set, and the command exits with status 64 before anything starts.
    func resolve(
        logging: LoggingOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ setFlags: (inout ConfigurationFlags) -> Void = { _ in }
    ) throws -> BusConfiguration {
        var flags = ConfigurationFlags(configurationFile: file)
        logging.apply(to: &flags)
        setFlags(&flags)
        do {
            return try BusConfiguration(flags: flags, environment: environment)
        } catch {
            printError("reentrybus: \(error)")
            throw ExitCode.validationFailure
        }
    }
}
