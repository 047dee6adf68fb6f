import ArgumentParser
import Pipeline

/// The `--shutdown-deadline` option of the commands that run services (`dev`, `serve`,
/// `broker`).
struct ShutdownOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Seconds graceful shutdown (Ctrl-C, SIGTERM) may take; past it the services still running are cancelled and the command exits with status 1, naming them.",
        valueName: "seconds"))
    var shutdownDeadline: Double = 30

    func validate() throws {
        guard shutdownDeadline > 0, shutdownDeadline <= 86_400 else {
            throw ValidationError("--shutdown-deadline must be more than 0 and at most 86400 seconds, not \(shutdownDeadline).")
        }
    }

    /// Graceful shutdown on SIGTERM and SIGINT, within the deadline.
    var options: ApplicationConfiguration.ShutdownOptions {
        ApplicationConfiguration.ShutdownOptions(
            deadline: .milliseconds(Int64((shutdownDeadline * 1_000).rounded())), stopsOnTerminationSignals: true)
    }
}
