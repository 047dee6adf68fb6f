import Foundation

/// A value behind a lock, shared by reference — between a client and its dedicated thread,
/// whose closures cannot capture a non-copyable `Mutex`. Critical sections are short and never
/// call back into code that could take the same lock.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
