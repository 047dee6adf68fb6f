@testable import Gateway
import ServiceKit
import Testing

/// The waits `TokenRevocations` and `ShutdownSignal` are built on: woken by an update for their
/// tag, over at once when the value already says so, ended by their task's cancellation.
@Suite(.timeLimit(.minutes(1))) struct WaitableLockTests {
    @Test("a wait ends when an update wakes its tag (not another's), at once when already over, and when its task is cancelled")
    func waits() async throws {
        let lock = WaitableLock<Set<String>, String>([])
        let ended = AwaitableState<[String]>([])
        let a = Task {
            await lock.wait("a") { $0.contains("a") }
            ended.update { $0.append("a") }
        }
        let b = Task {
            await lock.wait("b") { $0.contains("b") }
            ended.update { $0.append("b") }
        }
        // Waking "b" ends b's wait whenever it registered: before (woken) or after (already over).
        lock.update({ $0.insert("b") }, waking: { $0 == "b" })
        await ended.wait { $0 == ["b"] }
        // Already over: returns at once.
        await lock.wait("b") { $0.contains("b") }
        // Cancelled: a's wait ends without "a".
        a.cancel()
        await ended.wait { $0.count == 2 }
        _ = await (a.value, b.value)
        #expect(ended.value == ["b", "a"])
        #expect(!lock.withLock { $0.contains("a") })
    }
}
