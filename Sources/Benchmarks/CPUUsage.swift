import Foundation

/// What a benchmark phase cost the CPU: this process's CPU time (every thread: the services, the
/// embedded broker, the clients) over the phase's wall time, and the host's share of time its
/// hypervisor took (steal). A latency figure says little without them: on a host where the
/// phase keeps the cores busy, batches queue behind each other and the tail is the queue, not
/// the path (measured 2026-12-03: 1.6–1.75 of 2 cores at 1,000 arrests a second, ratio 17.7–40.6;
/// 0.6–0.7 cores at 100 a second, ratio 1.08–1.23).
struct CPUUsage: Sendable {
    private let processSeconds: Double
    private let wallNanoseconds: UInt64
    private let host: HostTicks?

    /// Starts counting now.
    init() {
        processSeconds = Self.processCPUSeconds()
        wallNanoseconds = monotonicNanoseconds()
        host = HostTicks.read()
    }

    /// What the phase cost since ``init()``.
    struct Span: Sendable {
        /// CPU seconds this process used.
        var cpuSeconds: Double
        /// Wall seconds.
        var seconds: Double
        /// Cores busy on average: CPU seconds over wall seconds.
        var cores: Double { seconds > 0 ? cpuSeconds / seconds : 0 }
        /// The share of all the host's CPU time stolen by the hypervisor (0…1), where
        /// `/proc/stat` can be read.
        var stealShare: Double?
    }

    func span() -> Span {
        let steal: Double? = host.flatMap { before in
            HostTicks.read().flatMap { after in
                let total = after.total - before.total
                return total > 0 ? (after.steal - before.steal) / total : nil
            }
        }
        return Span(
            cpuSeconds: Self.processCPUSeconds() - processSeconds,
            seconds: Double(monotonicNanoseconds() - wallNanoseconds) / 1e9, stealShare: steal)
    }

    /// User + system time of every thread of this process.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The host's CPU counters, `/proc/stat`'s first line, in clock ticks.
    private struct HostTicks: Sendable {
        var total: Double
        var steal: Double

        static func read() -> HostTicks? {
            guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                  let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
            else { return nil }
            // user nice system idle iowait irq softirq steal (guest time is already in user).
            let fields = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
            guard fields.count == 8 else { return nil }
            return HostTicks(total: fields.reduce(0, +), steal: fields[7])
        }
    }
}
