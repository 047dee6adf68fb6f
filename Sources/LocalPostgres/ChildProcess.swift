import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// A program run as a child of this process (`postgres`, and in tests `reentrybus broker`,
/// `reentrybus serve …`): its standard output and error collected as they arrive, its end
/// awaited, signals sent by process id. Killed with SIGKILL when released while still running,
/// so a failing test or benchmark leaves no process behind.
public final class ChildProcess: @unchecked Sendable {
    /// How the process ended.
    public struct Termination: Sendable, Equatable, CustomStringConvertible {
        /// The exit status, or the signal number when `bySignal`.
        public var status: Int32
        public var bySignal: Bool

        public init(status: Int32, bySignal: Bool) {
            self.status = status
            self.bySignal = bySignal
        }

        public var description: String { bySignal ? "killed by signal \(status)" : "exit status \(status)" }
    }

    public let name: String
    /// Standard output so far.
    public let output = AwaitableState<String>("")
    /// Standard error so far.
    public let errors = AwaitableState<String>("")
    public let termination = AwaitableState<Termination?>(nil)
    public let processIdentifier: Int32
    // Process is not Sendable; after `run()` it is only read (terminationStatus) here.
    private let process: Process

    /// Starts `executable` with `arguments`.
    public init(_ executable: URL, _ arguments: [String], name: String? = nil) throws {
        self.name = name ?? executable.lastPathComponent
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        let termination = self.termination
        // Output is read to its end before the termination is published, so a test that saw
        // the end sees all of the output.
        let readers = DispatchGroup()
        process.terminationHandler = { process in
            let ended = Termination(status: process.terminationStatus, bySignal: process.terminationReason == .uncaughtSignal)
            readers.notify(queue: .global()) { termination.update { $0 = ended } }
        }
        try process.run()
        self.process = process
        self.processIdentifier = process.processIdentifier
        for (pipe, text) in [(outputPipe, output), (errorPipe, errors)] {
            readers.enter()
            // Blocking reads, on a thread of their own (off the cooperative pool).
            let thread = Thread {
                let handle = pipe.fileHandleForReading
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    text.update { $0 += String(decoding: data, as: UTF8.self) }
                }
                readers.leave()
            }
            thread.start()
        }
    }

    deinit {
        if termination.value == nil { kill(processIdentifier, SIGKILL) }
    }

    /// Sends `signal` (SIGKILL, SIGTERM, …) to the process.
    public func send(_ signal: Int32) {
        kill(processIdentifier, signal)
    }

    /// Returns once the process has ended (and its output has been read to the end).
    @discardableResult
    public func waitForExit() async -> Termination {
        await termination.wait { $0 != nil }
        return termination.value ?? Termination(status: -1, bySignal: false)
    }

    /// Returns the first line of standard output starting with `prefix`, once it has arrived
    /// (nil if the process ended without printing it).
    public func waitForLine(startingWith prefix: String) async -> String? {
        let finder: @Sendable (String) -> String? = { text in text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.output.wait { finder($0) != nil } }
            group.addTask { await self.termination.wait { $0 != nil } }
            await group.next()
            group.cancelAll()
        }
        return finder(output.value)
    }

    /// The last `count` lines of standard error, for a failure message.
    public func lastErrorLines(_ count: Int = 20) -> String {
        errors.value.split(separator: "\n").suffix(count).joined(separator: "\n")
    }
}
