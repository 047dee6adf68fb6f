import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// A program run as a child of this process (`postgres`, and in tests `reentrybus broker`,
/// `reentrybus serve …`): its standard output and error collected as they arrive, its end
/// awaited, signals sent by process id. Killed with SIGKILL when released while still running,
/// so a failing test or benchmark leaves no process behind.
public final class ChildProcess: Sendable {
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

    /// Starts `executable` with `arguments` in `directory` (the current one when nil). `input`,
    /// when given, is written to its standard input, which is then closed (otherwise standard
    /// input is `/dev/null`). With `mergingErrors`, standard error goes to `output` as well, in
    /// the order the program wrote them.
    public init(
        _ executable: URL, _ arguments: [String], name: String? = nil,
        directory: URL? = nil, input: String? = nil, mergingErrors: Bool = false
    ) throws {
        self.name = name ?? executable.lastPathComponent
        var opened: [Int32] = []
        defer { for descriptor in opened { close(descriptor) } }
        let outputPipe = try Spawn.pipe()
        opened += [outputPipe.read, outputPipe.write]
        let errorPipe = mergingErrors ? nil : try Spawn.pipe()
        opened += errorPipe.map { [$0.read, $0.write] } ?? []
        let inputPipe = input == nil ? nil : try Spawn.pipe()
        opened += inputPipe.map { [$0.read, $0.write] } ?? []

        processIdentifier = try Spawn.start(
            executable, arguments, directory: directory,
            input: inputPipe.map { .descriptor($0.read) } ?? .null,
            output: .descriptor(outputPipe.write),
            error: .descriptor(errorPipe?.write ?? outputPipe.write))
        // The child has its copies; ours of the ends it uses close now (the defer), so reads
        // see the end of output when the child (and anything it started) has closed its own.
        // The ends this process keeps are handed to the threads below, which close them.
        opened.removeAll { [outputPipe.read, errorPipe?.read, inputPipe?.write].contains($0) }

        // Output is read to its end before the termination is published, so a test that saw
        // the end sees all of the output. Blocking calls, each on a thread of its own (off the
        // cooperative pool).
        let readers = DispatchGroup()
        for (descriptor, text) in [(outputPipe.read, output), (errorPipe?.read, errors)] {
            guard let descriptor else { continue }
            readers.enter()
            Thread {
                Spawn.readToEnd(descriptor) { chunk in text.update { $0 += String(decoding: chunk, as: UTF8.self) } }
                readers.leave()
            }.start()
        }
        if let inputPipe, let input {
            Thread { Spawn.writeAll(Array(input.utf8), to: inputPipe.write) }.start()
        }
        let pid = processIdentifier
        let termination = self.termination
        Thread {
            let ended = Spawn.waitForExit(pid)
            readers.notify(queue: .global()) { termination.update { $0 = ended } }
        }.start()
    }

    /// Runs `executable` to its end and returns how it ended with its output (see `init`).
    public static func run(
        _ executable: URL, _ arguments: [String], directory: URL? = nil, input: String? = nil, mergingErrors: Bool = false
    ) async throws -> (termination: Termination, output: String, errors: String) {
        let process = try ChildProcess(executable, arguments, directory: directory, input: input, mergingErrors: mergingErrors)
        let termination = await process.waitForExit()
        return (termination, process.output.value, process.errors.value)
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
