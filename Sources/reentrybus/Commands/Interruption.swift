import Dispatch
import Foundation

/// SIGINT (Ctrl-C) and SIGTERM, awaited: `replay` and `bench replay` then cancel their work,
/// which removes what it built (a fresh database, a private PostgreSQL cluster).
final class Interruption: Sendable {
    /// Returns at the first signal, or when the waiting task is cancelled.
    func wait() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }

    /// Runs `body`; at the first signal `body` is cancelled, and what it then throws (after
    /// cleaning up: a private cluster stopped, a temporary directory removed) is thrown here.
    func cancellingOnSignal<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                await self.wait()
                return nil
            }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
                if !Task.isCancelled { FileHandle.standardError.write(Data("reentrybus: interrupted; cleaning up\n".utf8)) }
                group.cancelAll()
            }
            throw CancellationError()
        }
    }
}
