import Foundation
import ServiceKit
import Kafka

#if canImport(Glibc)
import Glibc
#endif

/// Prints benchmark figures, one a line: `<name> <value> <unit>` and `ratio <name> <value>`.
/// Progress goes to standard error so standard output holds only figures.
struct FigurePrinter: Sendable {
    /// Where figure lines go (without their line end): standard output unless a test collects them.
    private let figureLine: @Sendable (String) -> Void

    init(figures: (@Sendable (String) -> Void)? = nil) {
        figureLine = figures ?? { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }

    func figure(_ name: String, _ value: Double, _ unit: String) {
        figureLine("\(name) \(Self.format(value)) \(unit)")
    }

    func ratio(_ name: String, _ value: Double) {
        figureLine("ratio \(name) \(String(format: "%.3f", value))")
    }

    /// A ratio that could not be measured: `ratio <name> missing: <reason>` (the reason on one
    /// line), so a reader of the figures sees why rather than nothing.
    func missingRatio(_ name: String, reason: String) {
        let oneLine = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
        figureLine("ratio \(name) missing: \(oneLine)")
    }

    /// Where a service's batches spent their time (``BatchStages``), in µs a message they held,
    /// one figure a stage: `<name>.stage.<stage>`; the stages add up to
    /// `<name>.stage.transaction`, and `<name>.stage.statements` is the part of the transaction
    /// spent in statements; `<name>.statements_per_message` counts them (on PostgreSQL each is a
    /// round trip: a figure the host's noise does not move).
    func stages(_ stages: BatchStages, as name: String) {
        for stage in stages.named {
            figure("\(name).stage.\(stage.stage)", stages.microsecondsPerMessage(stage.time), "us")
        }
        figure("\(name).stage.transaction", stages.microsecondsPerMessage(stages.transaction), "us")
        figure("\(name).stage.statements", stages.microsecondsPerMessage(stages.statements), "us")
        figure("\(name).statements_per_message", stages.statementsPerMessage, "statements")
    }

    func progress(_ text: String) {
        write("… \(text)\n", to: .standardError)
    }

    /// The `count` statements `service`'s writer spent most time in (``StatementTimings``), as
    /// progress lines: total, calls, mean per call, the SQL on one line, shortened.
    func statements(_ timings: StatementTimings?, of service: String, count: Int) {
        guard count > 0 else { return }
        guard let timings else {
            progress("statements.\(service): not timed (PostgreSQL: see pg_stat_statements)")
            return
        }
        progress("statements.\(service): \(String(format: "%.1f", timings.totalSeconds * 1_000)) ms in all statements; the \(count) longest in all:")
        for entry in timings.slowest(count) {
            let sql = entry.sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            progress(String(format: "  %9.1f ms %9d× %8.1f µs  ", entry.seconds * 1_000, entry.calls, entry.seconds / Double(max(1, entry.calls)) * 1e6)
                + (sql.count > 160 ? sql.prefix(157) + "…" : sql))
        }
    }

    private func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.3f", value)
    }
}

/// Nanoseconds of CLOCK_MONOTONIC: the clock the C baseline stamps messages with, so both sides
/// measure latency the same way.
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// CPU time (user + system) of the whole process so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU time (user + system) of the threads named `name` in this process (Linux: from
/// `/proc/self/task`, in clock ticks, so ~10 ms resolution); 0 where `/proc` is unreadable.
/// The embedded broker runs on librdkafka's `rdk:mock` thread: subtracting its time from the
/// process's leaves the clients' own.
func threadsCPUSeconds(named name: String) -> Double {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    var ticks = 0
    for task in tasks {
        guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
              comm.trimmingCharacters(in: .whitespacesAndNewlines) == name,
              let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
              let afterName = stat.lastIndex(of: ")")
        else { continue }
        // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        if fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) { ticks += user + system }
    }
    return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Runs blocking C work on a thread of its own, off Swift's cooperative pool.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// The middle value (the mean of the two middle ones for an even count); NaN for none.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// The p-th percentile (0…1) of sorted samples, nearest-rank.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count, max(1, rank)) - 1]
}

/// Sum of every byte: proof that a consumer touched each payload.
@inline(__always)
func byteSum(_ bytes: KafkaBytes) -> UInt64 {
    // The C baseline's byte_sum, step for step (64-byte blocks summed in 32 bits), so both
    // sides pay the same for touching the payload.
    bytes.withUnsafeBytes { buffer in
        let bytes = buffer.bindMemory(to: UInt8.self)
        var sum: UInt64 = 0
        var i = 0
        while i + 64 <= bytes.count {
            var block: UInt32 = 0
            for j in 0..<64 { block &+= UInt32(bytes[i + j]) }
            sum &+= UInt64(block)
            i += 64
        }
        while i < bytes.count {
            sum &+= UInt64(bytes[i])
            i += 1
        }
        return sum
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

extension ServiceProgress {
    /// A benchmark's wait for a service it feeds: returns when `count` reaches `target`, and
    /// fails the run, naming `what` and where the count stood, when nothing moved for two
    /// minutes (an expected event dead-lettered, a service that stopped), instead of waiting
    /// until the phase's own timeout. Two minutes is well past the longest pause of a moving
    /// replay (one PostgreSQL transaction of 5,000 events at ~300 events/s is ~17 s).
    func benchmarkWait(_ what: String, _ count: @escaping @Sendable (Snapshot) -> Int64, reaches target: Int64) async throws {
        do {
            try await wait(until: count, reaches: target, stallingAfter: .seconds(120))
        } catch let stalled as ProgressStalled {
            throw BenchmarkFailure(description: "\(what): \(stalled) (a dead letter, or a service that stopped: see the log)")
        }
    }
}
