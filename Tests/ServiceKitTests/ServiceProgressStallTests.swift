@testable import ServiceKit
import Testing

/// The wait benchmarks and tools use on a service they feed: it returns when the count reaches
/// its target, keeps waiting while the count moves however long that takes, and fails, saying
/// where it stood, when the count stands still for the time allowed (a service that stopped:
/// before it, `bench pipeline` waited for ever for an arrest that had been dead-lettered).
@Suite(.timeLimit(.minutes(1))) struct ServiceProgressStallTests {
    @Test("a count that stands still below its target ends the wait with where it stood")
    func stalled() async {
        let progress = ServiceProgress()
        progress.update { $0.applied = 3 }
        await #expect(throws: ProgressStalled(reached: 3, target: 5, stall: .milliseconds(200))) {
            try await progress.wait(until: { Int64($0.applied) }, reaches: 5, stallingAfter: .milliseconds(200))
        }
    }

    @Test("a count that keeps moving is waited for past the stall time, to its target")
    func moving() async throws {
        let progress = ServiceProgress()
        let steps = 60
        let waiter = Task {
            try await progress.wait(until: { Int64($0.applied) }, reaches: Int64(steps), stallingAfter: .seconds(1))
            return progress.snapshot.applied
        }
        // Each step comes after a fortieth of the stall time: the whole run lasts longer than the
        // stall time, which must not end it. (The pauses make the run long; the wait itself is
        // what is tested, and its end is awaited, not timed.)
        for _ in 0..<steps {
            try await Task.sleep(for: .milliseconds(25))
            progress.update { $0.applied += 1 }
        }
        #expect(try await waiter.value == steps)
    }

    @Test("a count at its target returns at once; a cancelled wait throws CancellationError")
    func reachedAndCancelled() async {
        let progress = ServiceProgress()
        progress.update { $0.applied = 2 }
        await #expect(throws: Never.self) {
            try await progress.wait(until: { Int64($0.applied) }, reaches: 2, stallingAfter: .seconds(60))
        }
        let waiter = Task {
            try await progress.wait(until: { Int64($0.applied) }, reaches: 3, stallingAfter: .seconds(60))
        }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}
