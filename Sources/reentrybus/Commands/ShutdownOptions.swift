import ArgumentParser
import Pipeline

/// The `--shutdown-deadline` option of the commands that run services (`dev`, `serve`,
/// `broker`), part of `OperationalOptions`: `REENTRYBUS_SHUTDOWN_DEADLINE` and the configuration
/// file's `shutdown-deadline` are read under the flag (default: 30 seconds).
struct ShutdownOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Seconds graceful shutdown (Ctrl-C, SIGTERM) may take; past it the services still running are cancelled and the command exits with status 1, naming them (default: 30).",
        valueName: "seconds"))
    var shutdownDeadline: Double?

    func validate() throws {
        guard let shutdownDeadline else { return }
        guard shutdownDeadline > 0, shutdownDeadline <= 86_400 else {
            throw ValidationError("--shutdown-deadline must be more than 0 and at most 86400 seconds, not \(shutdownDeadline).")
        }
    }

    /// Graceful shutdown on SIGTERM and SIGINT, within `deadline`.
    func options(deadline: Duration) -> ApplicationConfiguration.ShutdownOptions {
        ApplicationConfiguration.ShutdownOptions(deadline: deadline, stopsOnTerminationSignals: true)
    }
}
