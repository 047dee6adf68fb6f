import ArgumentParser
import Foundation
import Logging
import Metrics
import Observability
import Pipeline
import Settings

/// `--config FILE` (else `$REENTRYBUS_CONFIG`): the configuration file of the commands that
/// talk to a Kafka cluster (`serve`, `topics apply`, `publish`) or run the bus (`dev`,
/// `broker`). Their flags win over the environment, which wins over the file, which wins over
/// the defaults.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "A YAML configuration file (else $REENTRYBUS_CONFIG); see `reentrybus config check`.", valueName: "file"))
    var file: String?

    /// The effective configuration, with `setFlags` adding the command's own flags (and the
    /// logging flags). Only `keys` are resolved (the settings the command uses; default all).
    /// A configuration error is printed, naming the setting and where it was set, and the
    /// command exits with status 64 before anything starts.
    func resolve(
        logging: LoggingOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        keys: Set<ConfigurationKey> = Set(ConfigurationKey.allCases),
        _ setFlags: (inout ConfigurationFlags) -> Void = { _ in }
    ) throws -> BusConfiguration {
        var flags = ConfigurationFlags(configurationFile: file)
        logging.apply(to: &flags)
        setFlags(&flags)
        do {
            return try BusConfiguration(flags: flags, environment: environment, keys: keys)
        } catch {
            printError("reentrybus: \(error)")
            throw ExitCode.validationFailure
        }
    }
}

/// The operational options of the commands that run the bus until stopped (`serve`, `dev`,
/// `broker`): the configuration file, the metrics and health endpoint, the shutdown deadline
/// and logging. One place resolves them, so the three commands read them alike (flag >
/// environment > file > default) and export the same endpoint.
struct OperationalOptions: ParsableArguments {
    /// What `dev` and `broker` use of the configuration: they run their own embedded broker, so
    /// the Kafka settings (address, security, groups) and the data directory of a file meant
    /// for `serve` do not apply (and `dev`'s data directory is one it may empty).
    static let embeddedBrokerKeys: Set<ConfigurationKey> = [.logLevel, .logFormat, .metricsListen, .shutdownDeadline]

    @OptionGroup var config: ConfigurationOptions

    @Option(help: ArgumentHelp(
        "HOST:PORT of the HTTP endpoint serving /metrics, /health/live and /health/ready (default: none; else $REENTRYBUS_METRICS_LISTEN or metrics.listen).",
        valueName: "address"))
    var metricsListen: String?

    @OptionGroup var shutdown: ShutdownOptions
    @OptionGroup var logging: LoggingOptions

    /// Resolves the configuration (`keys`: the settings the command uses; `setFlags`: its own
    /// flags), makes the command's logger and warns about variables and settings it will not
    /// read, and when an endpoint address is set bootstraps swift-metrics into a Prometheus
    /// registry for it. Nothing has started yet; a bad setting exits with status 64.
    func resolve(
        command: String, keys: Set<ConfigurationKey> = Set(ConfigurationKey.allCases),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ setFlags: (inout ConfigurationFlags) -> Void = { _ in }
    ) throws -> OperationalSettings {
        let settings = try config.resolve(logging: logging, environment: environment, keys: keys) { flags in
            flags.set(.metricsListen, metricsListen, flag: "--metrics-listen")
            flags.set(.shutdownDeadline, shutdown.shutdownDeadline, flag: "--shutdown-deadline")
            setFlags(&flags)
        }
        let logger = logging.logger("reentrybus.\(command)", settings)
        for name in settings.unknownEnvironmentVariables {
            logger.warning("An environment variable named like a setting is not one", metadata: ["variable": "\(name)"])
        }
        if !settings.unusedSettings.isEmpty {
            // Names and sources only: a value may be a secret.
            logger.notice("Settings this command does not use", metadata: [
                "command": "\(command)", "settings": "\(settings.unusedSettings.map(\.description).joined(separator: ", "))",
            ])
        }
        // A metric made before the bootstrap stays a no-op: this runs before anything is built.
        var observability: ApplicationConfiguration.ObservabilityOptions?
        if let listen = settings.metricsListen {
            let address: Observability.ListenAddress
            do {
                address = try Observability.ListenAddress(host: listen.host, port: listen.port)
            } catch {
                printError("reentrybus: \(ConfigurationKey.metricsListen.name) (\(settings.source(of: .metricsListen) ?? .defaultValue)): \(error)")
                throw ExitCode.validationFailure
            }
            let export = MetricsExport()
            MetricsSystem.bootstrap(export.factory)
            observability = .init(listen: address, export: export)
        }
        return OperationalSettings(
            configuration: settings, logger: logger, observability: observability,
            shutdown: shutdown.options(deadline: settings.shutdownDeadline))
    }
}

/// What `OperationalOptions.resolve` gives a command: everything it needs from configuration
/// to build its `ApplicationConfiguration`.
struct OperationalSettings {
    var configuration: BusConfiguration
    var logger: Logger
    /// The `/metrics` and `/health` endpoint, nil when no address is set.
    var observability: ApplicationConfiguration.ObservabilityOptions?
    /// Graceful shutdown on SIGTERM and SIGINT within the configured deadline.
    var shutdown: ApplicationConfiguration.ShutdownOptions
}
