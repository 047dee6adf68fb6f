import Foundation

/// A process's resident memory (Linux `/proc/<pid>/status`), for benchmarks that print what a
/// replay holds at its peak. Nil where `/proc` cannot be read (the figure is then not printed).
enum ProcessMemory {
    /// `VmRSS`: resident now, in bytes.
    static func residentBytes() -> Double? { field("VmRSS:") }

    /// `VmHWM`: the peak resident since start or since ``resetPeak()``, in bytes, of this
    /// process or of process `pid` (a child that is still running).
    static func peakResidentBytes(of pid: Int32? = nil) -> Double? { field("VmHWM:", of: pid) }

    /// Starts the peak over from what is resident now (`clear_refs` 5). Returns false where the
    /// kernel refuses, in which case the peak counts from the process's start.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    private static func field(_ name: String, of pid: Int32? = nil) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid.map(String.init) ?? "self")/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) })
        else { return nil }
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2, let kilobytes = Double(parts[1]) else { return nil }
        return kilobytes * 1024
    }
}
