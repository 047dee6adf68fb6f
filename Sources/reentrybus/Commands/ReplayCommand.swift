import ArgumentParser
import Dispatch
import Foundation
import Pipeline
import ServiceKit
import Settings

#if canImport(Glibc)
import Glibc
#endif

/// `reentrybus replay SERVICE`: rebuilds a service's state from the beginning of its topics
/// into a fresh database and swaps it in.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a service's state from the beginning of its topics and swap it in (router, warrant-resolver, inbox, views, feeds, person-index).",
        discussion: """
            The service's state is rebuilt in a fresh database beside the current one — \
            <data-dir>/<service>.sqlite.replay, or with --database postgres://… the schema <service>_replay — \
            by the service's own code, then swapped in atomically: the SQLite file is renamed over \
            <service>.sqlite (both first checkpointed out of WAL mode), the PostgreSQL schema renamed \
            in one transaction that drops the old one. The rebuild applies every partition up to the \
            offset the current state reached, nothing past it; what it would notify (notifications, \
            dead letters) is discarded, never sent again. Settings are read as `serve` reads them \
            (flags, REENTRYBUS_* variables, --config file); give it the same notification keys.

            The old state keeps serving while the new one is built. THE SWAP NEEDS THE SERVICE \
            STOPPED: a running service would go on writing to the state it opened, and that would be \
            lost. When the rebuild is done and the service (or a `view` or `inbox` reading its state) \
            still has the state open, the replay says so and waits for it to stop, up to \
            --stop-timeout, catching up meanwhile; once nobody has the state open it applies what the \
            service applied last, checks under a lock that the offsets did not move, and swaps. Then \
            start the service again: it goes on from where it stopped.

            Progress (events, events/s, share done, time left) is one line redrawn on a terminal, and \
            a plain line per phase and every --progress-interval seconds otherwise, on standard \
            error; the summary goes to standard output. Any failure — broker gone, database \
            error, Ctrl-C, the service not stopping in time — leaves the current state as it was, \
            removes the partial rebuild and exits with status 1.
            """)

    @Argument(help: "router, warrant-resolver, inbox, views, feeds or person-index.")
    var service: String

    @OptionGroup var broker: BrokerConnectionOptions
    @OptionGroup var state: ServiceStateOptions

    @Option(help: ArgumentHelp(
        "Seconds to wait, once rebuilt, for the service to stop before giving up (0 refuses at once while it runs).",
        valueName: "seconds"))
    var stopTimeout: Double = 600

    @Option(help: ArgumentHelp(
        "Seconds reading may make no progress before the broker counts as gone.", valueName: "seconds"))
    var stallTimeout: Double = 60

    @Option(help: ArgumentHelp(
        "Seconds between progress lines when standard error is not a terminal.", valueName: "seconds"))
    var progressInterval: Double = 10

    @Option(help: ArgumentHelp(
        "Events one transaction of the rebuild applies (larger: faster on SQLite, more memory held until it commits).",
        valueName: "count"))
    var eventsPerTransaction: Int = 5_000

    @Option(help: ArgumentHelp(
        "SQLite page cache of the rebuild, in MiB (more: faster on a large history; memory beside the running service).",
        valueName: "MiB"))
    var sqliteCacheMib: Int = ReplayOptions().sqliteCacheMebibytes

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var notificationKey: NotificationKeyOptions
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions

    /// The settings a replay reads (those of `serve` but the consumer group's and the process's endpoint).
    static let keys: Set<ConfigurationKey> = Set(ConfigurationKey.allCases)
        .subtracting([.groupPrefix, .sessionTimeout, .metricsListen, .shutdownDeadline])

    func validate() throws {
        guard let name = ServiceName(rawValue: service), name.isConsumer else {
            let choices = ServiceName.consumers.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("Unknown service \(service); choose \(choices) (the scheduler keeps no state; the gateway's is not built from topics).")
        }
        for (flag, value) in [("--stop-timeout", stopTimeout), ("--stall-timeout", stallTimeout), ("--progress-interval", progressInterval)] {
            guard value.isFinite, value >= 0, value <= 86_400 * 7 else {
                throw ValidationError("\(flag) \(value) is not a number of seconds between 0 and 604800.")
            }
        }
        guard stallTimeout >= 1 else { throw ValidationError("--stall-timeout must be at least 1 second.") }
        guard progressInterval >= 0.1 else { throw ValidationError("--progress-interval must be at least 0.1 seconds.") }
        guard (1...100_000).contains(eventsPerTransaction) else {
            throw ValidationError("--events-per-transaction \(eventsPerTransaction) is not between 1 and 100000.")
        }
        guard (2...16_384).contains(sqliteCacheMib) else {
            throw ValidationError("--sqlite-cache-mib \(sqliteCacheMib) is not between 2 and 16384.")
        }
    }

    func run() async throws {
        let settings = try config.resolve(logging: logging, keys: Self.keys) { flags in
            broker.apply(to: &flags)
            state.apply(to: &flags)
            notificationKey.apply(to: &flags)
        }
        let logger = logging.logger("reentrybus.replay", settings)
        let name = ServiceName(rawValue: service)!
        let signingKey = try notificationKey.signingKey(settings)
        let previousKeys = try notificationKey.previousKeys()
        let catalog = try contracts.loadCatalog()
        let (dataDirectory, postgres) = try settings.database.storage(dataDirectory: settings.dataDirectory)
        var configuration = ApplicationConfiguration(
            broker: .external(bootstrapServers: settings.bootstrapServers),
            dataDirectory: URL(fileURLWithPath: dataDirectory, isDirectory: true),
            services: [name], catalog: catalog,
            client: .init(connectTimeout: settings.connectTimeout, security: settings.security),
            notificationKey: signingKey, previousNotificationKeys: previousKeys,
            postgres: postgres)
        // The recipients `serve feeds` tells: a rebuilt feeds state derives the same ids.
        configuration.feedOperators = settings.feedOperators
        // The person index's prior: a rebuilt index decides as `serve person-index` did.
        configuration.personsPopulation = settings.personsPopulation
        configuration.personsLearning = settings.personsLearning
        configuration.personsLinkThreshold = settings.personsLinkThreshold
        configuration.personsReviewThreshold = settings.personsReviewThreshold
        let display = ReplayDisplay(
            service: name.rawValue, interactive: isatty(STDERR_FILENO) == 1, interval: .milliseconds(Int64(progressInterval * 1_000)))
        let replay: Pipeline.Replay
        do {
            replay = try Pipeline.Replay(
                name, configuration: configuration,
                options: ReplayOptions(
                    stopTimeout: .milliseconds(Int64(stopTimeout * 1_000)), stallTimeout: .milliseconds(Int64(stallTimeout * 1_000)),
                    eventsPerTransaction: eventsPerTransaction, sqliteCacheMebibytes: sqliteCacheMib),
                logger: logger, onPhase: { display.phaseChanged($0) })
        } catch {
            printError("reentrybus: \(error)")
            throw ExitCode.validationFailure
        }
        let interruption = Interruption()
        let outcome: Result<Pipeline.Replay.Report, any Error> = await withTaskGroup(of: Result<Pipeline.Replay.Report, any Error>?.self) { group in
            group.addTask {
                do {
                    return .success(try await replay.run())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await display.run(replay.progress)
                return nil
            }
            group.addTask {
                await interruption.wait()
                return nil
            }
            var outcome: Result<Pipeline.Replay.Report, any Error> = .failure(CancellationError())
            while let next = await group.next() {
                if let result = next {
                    outcome = result
                    break
                }
                // Interrupted: the replay is cancelled, cleans up and ends with its error.
                group.cancelAll()
            }
            group.cancelAll()
            return outcome
        }
        display.finish()
        switch outcome {
        case .success(let report):
            let progress = report.progress
            let seconds = Double(report.duration.components.seconds) + Double(report.duration.components.attoseconds) / 1e18
            print("""
                replay \(name): swapped in at \(report.location): \(progress.events) events read \
                (\(progress.applied) applied, \(progress.deadLettered) dead letters, \(progress.duplicates) duplicates) \
                in \(String(format: "%.1f", seconds)) s; start the service again
                replay \(name): the transactions' time, in µs a message: \(progress.stages.summary)
                """)
        case .failure(let error):
            printError("reentrybus: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Writes the replay's progress to standard error: on a terminal one line redrawn four times a
/// second; otherwise a line at each change of phase and every `interval`.
final class ReplayDisplay: Sendable {
    let service: String
    let interactive: Bool
    let interval: Duration

    init(service: String, interactive: Bool, interval: Duration) {
        self.service = service
        self.interactive = interactive
        self.interval = interval
    }

    /// Until cancelled.
    func run(_ progress: AwaitableState<ReplayProgress>) async {
        let step: Duration = interactive ? .milliseconds(250) : interval
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: step)
            } catch {
                return
            }
            let current = progress.value
            guard current.phase != .swapped, current.phase != .failed else { continue }
            write(current)
        }
    }

    func phaseChanged(_ progress: ReplayProgress) {
        guard progress.phase != .swapped, progress.phase != .failed else { return }
        write(progress)
    }

    /// Ends the redrawn line, so what follows starts on a line of its own.
    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func write(_ progress: ReplayProgress) {
        let line = "replay \(service): " + progress.line(at: .now)
        FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[2K" + line : line + "\n").utf8))
    }
}
