import Foundation
import Pipeline

#if canImport(Glibc)
import Glibc
#endif

extension Application {
    /// Runs the application as the command's whole life. Past the shutdown deadline `run()`
    /// cancels what did not stop and throws, naming it; a service that ignores even
    /// cancellation (blocked in a C call) would still hold the process, so once the deadline
    /// and the cancellation grace have passed since shutdown began, the process exits with
    /// status 1 after naming the services still running.
    func runAsCommand() async throws {
        let watchdog = ExitWatchdog()
        let limit = configuration.shutdown.deadline + configuration.shutdown.cancellationGrace
        onShutdownBegan { [weak self] in
            watchdog.arm(after: limit) { [weak self] in self?.unfinishedServices ?? [] }
        }
        defer { watchdog.disarm() }
        try await run()
    }
}

/// Exits the process if it has not been disarmed within a time limit. Waits on a thread of its
/// own, so a blocked cooperative pool cannot hold it up.
final class ExitWatchdog: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    func arm(after limit: Duration, unfinished: @escaping @Sendable () -> [String]) {
        let finished = self.finished
        let milliseconds = Int(limit.components.seconds * 1_000 + limit.components.attoseconds / 1_000_000_000_000_000)
        let thread = Thread {
            guard finished.wait(timeout: .now() + .milliseconds(milliseconds)) == .timedOut else { return }
            let names = unfinished()
            FileHandle.standardError.write(Data("""
                reentrybus: shutdown did not finish within its deadline and grace (\(limit)); \
                still running: \(names.isEmpty ? "none" : names.joined(separator: ", ")); exiting with status 1

                """.utf8))
            exit(EXIT_FAILURE)
        }
        thread.name = "reentrybus-exit-watchdog"
        thread.start()
    }

    func disarm() {
        finished.signal()
    }
}
