import Audit
import Foundation
import Logging

/// Keeps `bus.audit` up to date with the ledger while the gateway runs: publishes the ledger's
/// queue (`AuditPublisher`) after each append, and on a timer (entries left by an earlier run
/// or another appender of the same store). While the broker does not acknowledge, it backs off
/// (doubling from the interval up to `maxBackoff`) instead of retrying on every request; the
/// entries stay queued in the ledger meanwhile, so nothing is lost. `finish()` (graceful
/// shutdown) ends the loop after one last attempt.
public final class AuditPublication: Sendable {
    /// Settings with safe defaults: every 5 s, backing off to at most 2 min.
    public struct Timing: Sendable {
        public var interval: Duration
        public var maxBackoff: Duration

        public init(interval: Duration = .seconds(5), maxBackoff: Duration = .seconds(120)) {
            self.interval = interval
            self.maxBackoff = maxBackoff
        }
    }

    enum Trigger: Sendable { case appended, tick }

    let timing: Timing
    private let triggers: AsyncStream<Trigger>
    private let continuation: AsyncStream<Trigger>.Continuation

    public init(timing: Timing = Timing()) {
        self.timing = timing
        // Wakes coalesce: one pending wake publishes everything appended before it.
        (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Something was appended: publish soon (unless backing off).
    public func appended() { continuation.yield(.appended) }

    /// Ends `run` after one last attempt.
    public func finish() { continuation.finish() }

    /// Publishes until `finish()`; returns once the last attempt is over. `publish` sends
    /// what is queued (`AuditPublisher.publishPending`) and returns how many entries went out.
    public func run(logger: Logger, publish: @escaping @Sendable () async throws -> Int) async {
        let timing = self.timing
        let continuation = self.continuation
        let ticker = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: timing.interval) } catch { return }
                continuation.yield(.tick)
            }
        }
        defer { ticker.cancel() }
        var failures = 0
        var retryAt: ContinuousClock.Instant?
        let clock = ContinuousClock()
        for await _ in triggers {
            if let retryAt, clock.now < retryAt { continue }
            if await attempt(logger: logger, publish: publish) {
                failures = 0
                retryAt = nil
            } else {
                failures += 1
                let backoff = timing.interval * (1 << min(failures - 1, 16))
                retryAt = clock.now + min(backoff, timing.maxBackoff)
            }
        }
        _ = await attempt(logger: logger, publish: publish)
    }

    /// One publication; false when the broker (or the ledger) failed.
    private func attempt(logger: Logger, publish: @Sendable () async throws -> Int) async -> Bool {
        do {
            let published = try await publish()
            if published > 0 { logger.debug("Audit entries published", metadata: ["count": "\(published)"]) }
            return true
        } catch {
            logger.warning("Audit entries not published yet; they stay queued", metadata: ["reason": "\(error)"])
            return false
        }
    }
}
