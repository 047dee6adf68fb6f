import Foundation
import Synchronization
import TestSupport
import Testing

@testable import ServiceKit

/// The thread a service's loop runs on: tasks that prefer it run there, one job at a time,
/// and blocking it holds nothing else.
@Suite struct ServiceThreadTests {
    @Test func tasksThatPreferItRunOnItsThreadAcrossSuspensions() async throws {
        let thread = ServiceThread(name: "svc-test")
        defer { thread.finish() }
        let seen = try await withTaskExecutorPreference(thread) { () async throws -> [Bool] in
            var seen = [thread.isCurrent, currentThreadName() == "svc-test"]
            try await Task.sleep(for: .milliseconds(1))  // resumed from a timer elsewhere
            seen.append(thread.isCurrent)
            // A child task inherits the preference.
            seen.append(await withTaskGroup(of: Bool.self) { group in
                group.addTask { thread.isCurrent }
                return await group.next() ?? false
            })
            await Task.yield()
            seen.append(thread.isCurrent)
            return seen
        }
        #expect(seen == [true, true, true, true, true])
        #expect(!thread.isCurrent)
    }

    /// While a job blocks the service's thread (a write waiting for the disk), Swift's shared
    /// threads go on running everything else.
    @Test func aBlockedServiceThreadHoldsNoSharedThread() async throws {
        let thread = ServiceThread(name: "svc-blocked")
        defer { thread.finish() }
        let release = DispatchSemaphore(value: 0)
        let blocked = AwaitableState(false)
        let holder = Task(executorPreference: thread) {
            blocked.update { $0 = true }
            release.wait()  // blocks the service's thread, as a synchronous write does
            return thread.isCurrent
        }
        try await within(.seconds(60), "the service thread blocked") { await blocked.wait { $0 } }
        // More tasks than the machine has cores, each needing a shared thread to finish.
        let done = await withTaskGroup(of: Int.self) { group in
            for index in 0..<(4 * ProcessInfo.processInfo.activeProcessorCount) {
                group.addTask { await Task.yield(); return index }
            }
            return await group.reduce(0) { count, _ in count + 1 }
        }
        #expect(done == 4 * ProcessInfo.processInfo.activeProcessorCount)
        release.signal()
        #expect(await holder.value)
    }

    /// Jobs enqueued after the thread ended (a task still preferring it) run elsewhere instead
    /// of waiting forever.
    @Test func aTaskThatOutlivesTheThreadStillRuns() async throws {
        let thread = ServiceThread(name: "svc-ended")
        let started = AwaitableState(false)
        let resume = AwaitableState(false)
        let late = Task(executorPreference: thread) { () -> Int in
            started.update { $0 = true }
            await resume.wait { $0 }  // suspended while the thread ends
            return 42
        }
        try await within(.seconds(60), "the task started") { await started.wait { $0 } }
        thread.finish()
        try await within(.seconds(60), "the thread ended") { await thread.waitUntilEnded() }
        resume.update { $0 = true }
        let value = try await within(.seconds(60), "the late task finished") { await late.value }
        #expect(value == 42)
    }
}

