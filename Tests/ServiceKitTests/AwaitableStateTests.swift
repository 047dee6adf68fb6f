import ServiceKit
import Testing

/// The waits every service, the gateway's token revocations and its shutdown signal are built
/// on: woken by an update that makes their condition hold (not by one that does not), over at
/// once when it already holds, ended by their task's cancellation, before or after they
/// registered.
@Suite(.timeLimit(.minutes(1))) struct AwaitableStateTests {
    @Test("a wait ends when an update makes its condition hold (not another's), at once when it already holds, and when its task is cancelled")
    func waits() async throws {
        let state = AwaitableState<Set<String>>([])
        let ended = AwaitableState<[String]>([])
        let a = Task {
            await state.wait { $0.contains("a") }
            // Why it ended: an update that does not make its condition hold must not end it.
            ended.update { $0.append(Task.isCancelled ? "a cancelled" : "a") }
        }
        let b = Task {
            await state.wait { $0.contains("b") }
            ended.update { $0.append("b") }
        }
        // "b" ends b's wait whenever it registered: before (woken) or after (already over).
        let count = state.update { $0.insert("b"); return $0.count }
        #expect(count == 1, "update returns what its body returns")
        await ended.wait { $0 == ["b"] }
        // Already over: returns at once.
        await state.wait { $0.contains("b") }
        // Cancelled: a's wait ends without "a".
        a.cancel()
        await ended.wait { $0.count == 2 }
        _ = await (a.value, b.value)
        #expect(ended.value == ["b", "a cancelled"])
        #expect(!state.value.contains("a"))
    }

    @Test("a task cancelled before it waits returns at once, and leaves no waiter for a later update to find")
    func cancelledBeforeWaiting() async {
        let state = AwaitableState(0)
        let waited = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await state.wait { $0 == 1 }
            return state.value
        }
        #expect(await waited.value == 0)
        // And a later wait on the same state is woken as usual.
        let later = Task { await state.wait { $0 == 1 }; return state.value }
        state.update { $0 = 1 }
        #expect(await later.value == 1)
    }
}
