import Foundation
import ServiceKit

/// Graceful shutdown as the push channels see it: triggered once, it ends open streams and
/// stops the webhook dispatcher between deliveries, so the server does not wait on them.
public final class ShutdownSignal: Sendable {
    /// Whether it was triggered; every wait is woken by the trigger.
    private let triggered = AwaitableState(false)

    public init() {}

    public var isTriggered: Bool { triggered.value }

    /// Ends every wait, now and later.
    public func trigger() {
        triggered.update { $0 = true }
    }

    /// Returns once triggered, or when the task is cancelled.
    func wait() async {
        await triggered.wait { $0 }
    }

    /// Waits `duration` or until triggered, whichever comes first; true when triggered.
    func wait(upTo duration: Duration) async -> Bool {
        if isTriggered { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                do { try await Task.sleep(for: duration) } catch { return }
            }
            await group.next()
            group.cancelAll()
        }
        return isTriggered
    }
}
