import Synchronization

/// Memory for batch buffers (`KafkaBytes.Storage`), handed back when a batch is released and
/// reused for a later one.
///
/// A batch of 1,000 1 KiB messages needs a 1 MiB buffer. Allocating one per batch made the
/// allocator map fresh pages each time (glibc serves large blocks with `mmap`, or trims the
/// heap when they are freed): the kernel zeroing and faulting those pages in cost more than the
/// copy itself (perf: ~14 % of the consuming thread in `clear_page` and page faults, ~4 % with
/// the pool). Sizes are rounded up to a power of two (at least 64 KiB) so a buffer fits later
/// batches of similar size; at most `keeping` buffers of up to `largest` bytes are kept, the
/// rest freed.
///
/// A `Mutex`: a batch's last message can be released on any thread.
final class BatchBufferPool: Sendable {
    /// Owned by whoever holds it: the pool, or one batch's storage.
    private struct Buffer: @unchecked Sendable {
        var base: UnsafeMutableRawPointer
        var capacity: Int
    }

    private struct Free: ~Copyable {
        var buffers: [Buffer] = []
        deinit { for buffer in buffers { buffer.base.deallocate() } }
    }

    private let free = Mutex(Free())
    private let keeping: Int
    private let largest: Int

    init(keeping: Int, largest: Int = 32 << 20) {
        self.keeping = keeping
        self.largest = largest
    }

    /// A buffer of at least `capacity` bytes and its actual size.
    func take(atLeast capacity: Int) -> (UnsafeMutableRawPointer, Int) {
        let reused = free.withLock { free -> Buffer? in
            guard let index = free.buffers.firstIndex(where: { $0.capacity >= capacity }) else { return nil }
            return free.buffers.remove(at: index)
        }
        if let reused { return (reused.base, reused.capacity) }
        let size = max(64 << 10, capacity <= 1 ? 1 : 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount))
        return (UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16), size)
    }

    /// Takes back a buffer from `take` (frees it when the pool is full or it is too large).
    func recycle(_ base: UnsafeMutableRawPointer, capacity: Int) {
        let kept = capacity <= largest && free.withLock { free -> Bool in
            guard free.buffers.count < keeping else { return false }
            free.buffers.append(Buffer(base: base, capacity: capacity))
            return true
        }
        if !kept { base.deallocate() }
    }
}
