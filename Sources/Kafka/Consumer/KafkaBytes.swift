import Foundation

/// Bytes of a consumed message (key or value) without a copy of their own.
///
/// A consumer copies the keys and values of a whole batch into one buffer, and each message
/// refers to its slice of it: one allocation per batch instead of two per message, which is
/// what lets the Swift consumer keep pace with a C one. Holding a message keeps its batch's
/// buffer alive; take `Array(bytes)` (or `KafkaConsumerMessage.value`) to keep bytes longer.
public struct KafkaBytes: RandomAccessCollection, Hashable, Sendable {
    private let storage: Storage
    private let offset: Int
    public let count: Int

    final class Storage: @unchecked Sendable {
        // Written once, before any KafkaBytes refers to it; read-only afterwards.
        let base: UnsafeMutableRawPointer
        let capacity: Int
        /// Where the memory goes back when the last message of the batch is released.
        private let pool: BatchBufferPool?

        init(capacity: Int) {
            self.capacity = Swift.max(1, capacity)
            base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
            pool = nil
        }

        init(from pool: BatchBufferPool, atLeast capacity: Int) {
            (base, self.capacity) = pool.take(atLeast: capacity)
            self.pool = pool
        }

        deinit {
            if let pool { pool.recycle(base, capacity: capacity) } else { base.deallocate() }
        }
    }

    init(storage: Storage, offset: Int, count: Int) {
        self.storage = storage
        self.offset = offset
        self.count = count
    }

    /// Bytes of an array (copied once).
    public init(_ bytes: [UInt8]) {
        let storage = Storage(capacity: bytes.count)
        bytes.withUnsafeBytes { storage.base.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(storage.base), byteCount: $0.count) }
        self.init(storage: storage, offset: 0, count: bytes.count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "index out of range")
        return storage.base.load(fromByteOffset: offset + position, as: UInt8.self)
    }

    /// The bytes, valid only inside `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: storage.base + offset, count: count))
    }

    public func withContiguousStorageIfAvailable<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result? {
        try withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
    }

    public static func == (lhs: KafkaBytes, rhs: KafkaBytes) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in l.elementsEqual(r) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension KafkaBytes: ContiguousBytes {}

/// Packs the keys and values of one batch into one `KafkaBytes.Storage`.
struct BatchBytes {
    let storage: KafkaBytes.Storage
    private var used = 0

    init(capacity: Int, pool: BatchBufferPool?) {
        storage = pool.map { KafkaBytes.Storage(from: $0, atLeast: capacity) } ?? KafkaBytes.Storage(capacity: capacity)
    }

    /// Copies `count` bytes in and returns where they start.
    mutating func append(_ start: UnsafeRawPointer, _ count: Int) -> Int {
        precondition(used + count <= storage.capacity, "batch buffer overflow")
        if count > 0 { (storage.base + used).copyMemory(from: start, byteCount: count) }
        defer { used += count }
        return used
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return used }
        return append(base, bytes.count)
    }
}
