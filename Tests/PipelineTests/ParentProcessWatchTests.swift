import Foundation
import Glibc
import ServiceKit
import TestSupport
import Testing

/// A `reentrybus` started by a process that then ends (a test process that crashed) stops by
/// itself (`ParentProcessWatch`), instead of running on under later tests and benchmarks.
@Suite struct ParentProcessWatchTests {
    /// A shell starts `reentrybus broker` in the background, naming itself as the parent as
    /// `ChildProcess` does, and waits for it; once the broker serves, the shell is killed (a
    /// crash: nothing stops the broker). The broker inherited the shell's output pipe, so the
    /// shell's `ChildProcess` sees the end of its output, and so its end, only once the broker
    /// has exited too: that is what the test awaits (bounded).
    @Test func aChildEndsWhenTheProcessThatStartedItIsKilled() async throws {
        let shell = try startBroker(then: "wait")
        let announced = try await within(.seconds(60), "the broker's address") { await shell.waitForLine(startingWith: "bootstrap servers: ") }
        #expect(announced != nil, "\(shell.output.value)")
        shell.send(SIGKILL)
        let ended = try await within(.seconds(60), "the broker whose starter was killed to stop") { await shell.waitForExit() }
        #expect(ended == ChildProcess.Termination(status: SIGKILL, bySignal: true))
        #expect(shell.output.value.contains("has ended; stopping"), "\(shell.output.value)")
    }

    /// The shell exits at once, before the broker has looked at its parent: the broker finds
    /// the named parent gone and stops at once too.
    @Test func aChildWhoseStarterIsGoneBeforeItLooksStops() async throws {
        let shell = try startBroker(then: "exit 0")
        let ended = try await within(.seconds(60), "the broker whose starter ended to stop") { await shell.waitForExit() }
        #expect(ended == ChildProcess.Termination(status: 0, bySignal: false))
        #expect(shell.output.value.contains("has ended; stopping"), "\(shell.output.value)")
    }

    /// `/bin/sh` running `reentrybus broker` in the background with its output, naming the
    /// shell as the broker's parent, then `then`.
    private func startBroker(then next: String) throws -> ChildProcess {
        let binary = try reentrybusBinary()
        let script = "\(ParentProcessWatch.variable)=$$ '\(binary.path)' broker --brokers 1 --log-level warning & \(next)"
        return try ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", script], name: "sh", mergingErrors: true)
    }

    /// A child of `ChildProcess` is named its parent: the variable holds this process's id.
    @Test func aChildIsToldWhoItsParentIs() async throws {
        let run = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo \"$\(ParentProcessWatch.variable)\""])
        #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(getpid()))
    }
}
