import Foundation
import Gateway
import Logging
import ServiceKit
import Testing

/// The loop that keeps `bus.audit` up to date: a publication after each append, no hammering of
/// an absent broker, one last attempt at shutdown.
@Suite struct AuditPublicationTests {
    struct BrokerAway: Error {}

    @Test("each append wakes a publication while the broker acknowledges")
    func publishesAfterAppends() async throws {
        let calls = AwaitableState(0)
        // A timer that never fires within the test: only appends wake the loop.
        let publication = AuditPublication(timing: .init(interval: .seconds(3_600)))
        let running = Task { await publication.run(logger: Logger(label: "audit-publication-tests")) { calls.update { $0 += 1 }; return 1 } }
        for expected in 1...3 {
            publication.appended()
            await calls.wait { $0 >= expected }
        }
        publication.finish()
        await running.value
        #expect(calls.value == 4, "three appends, then the last attempt at shutdown")
    }

    @Test("while the broker does not acknowledge, appends do not retry before the backoff; shutdown still tries once more")
    func backsOffWhileBrokerIsAway() async throws {
        let calls = AwaitableState(0)
        let publication = AuditPublication(timing: .init(interval: .seconds(3_600)))
        let running = Task {
            await publication.run(logger: Logger(label: "audit-publication-tests")) {
                calls.update { $0 += 1 }
                throw BrokerAway()
            }
        }
        publication.appended()
        await calls.wait { $0 >= 1 }
        for _ in 1...5 { publication.appended() }
        publication.finish()
        await running.value
        #expect(calls.value == 2, "the first failure, then only the attempt at shutdown")
    }
}
