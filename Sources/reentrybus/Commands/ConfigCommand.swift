import ArgumentParser
import Settings
import Foundation

/// `reentrybus config …`: the configuration file and the environment, checked before a deploy.
struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a configuration file (with the environment over it).",
        subcommands: [ConfigCheck.self])
}

/// `reentrybus config check FILE`: validates FILE with the environment over it and prints the
/// effective configuration, secrets masked.
struct ConfigCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file and print the effective configuration (file + environment), secrets masked.",
        discussion: """
            Reads FILE and the REENTRYBUS_* environment variables over it, checks every setting \
            (unknown keys, values, secrets the settings need, files they name), and prints one \
            line per setting with where it came from: the file and line, an environment \
            variable, or the default. Secrets are printed as ********. On an error it prints \
            the setting, the file and the line, and exits with status 1. Environment variables \
            named REENTRYBUS_… that are no setting are reported as warnings.
            """)

    @Argument(help: "The YAML configuration file.")
    var file: String

    func run() async throws {
        let configuration: BusConfiguration
        do {
            configuration = try BusConfiguration(
                flags: ConfigurationFlags(configurationFile: file), environment: ProcessInfo.processInfo.environment)
        } catch {
            printError("reentrybus: \(error)")
            throw ExitCode.failure
        }
        for name in configuration.unknownEnvironmentVariables {
            printError("warning: \(name) is not a setting reentrybus reads (known: \(BusConfiguration.environmentVariables.joined(separator: ", ")))")
        }
        print(configuration.report, terminator: "")
        if configuration.notificationKey == nil {
            print("# serve needs a notification key: set REENTRYBUS_NOTIFICATION_KEY, REENTRYBUS_NOTIFICATION_KEY_FILE or notification-key-file")
        }
        print("ok: \(file) is valid")
    }
}
