import CRdKafka
import Foundation

/// An OS thread owned by one Kafka client, for librdkafka's blocking calls.
///
/// librdkafka's polls block for up to their timeout; running them on Swift's cooperative pool
/// would starve it (it has one thread per core). Each client therefore owns one of these, and
/// async callers wait for it through continuations, never by blocking.
final class DedicatedThread: Sendable {
    private let finished = LockedValue<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Starts `body` on a new thread named `name` (names show up in debuggers and `top -H`).
    init(name: String, body: @escaping @Sendable () -> Void) {
        let thread = Thread { [finished] in
            Self.nameCurrentThread(name)
            body()
            let waiters = finished.withLock { state in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Suspends (without blocking a thread) until the body has returned.
    func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Names the OS thread (visible in `top -H`, perf and debuggers); Linux allows 15 bytes.
    private static func nameCurrentThread(_ name: String) {
        reentrybus_name_current_thread(String(name.utf8.prefix(15))!)
    }

    /// Runs one blocking piece of work on a thread of its own and returns its result; for rare
    /// blocking calls (admin requests, metadata) that must not run on the cooperative pool.
    static func run<Result: Sendable>(
        name: String, _ work: @escaping @Sendable () -> Result
    ) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            _ = DedicatedThread(name: name) { continuation.resume(returning: work()) }
        }
    }
}
