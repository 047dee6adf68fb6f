import CSpawn
import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// Starting a program with `posix_spawn`, without Foundation's `Process`.
///
/// Why not `Process`: on Linux, swift-corelibs-foundation's `Process.run()` walks
/// `/proc/self/fd` copying each entry's full 256-byte name, reading past the end of the
/// directory buffer; CI crashed there (signal 11) under load, and its `FileHandle` reads trap on
/// `EINTR`. Here every descriptor is opened close-on-exec, the child gets exactly standard
/// input, output and error (`closefrom(3)` in the child), default signal dispositions and an
/// empty signal mask, and every system call is retried on `EINTR`.
enum Spawn {
    /// A failed system call, with its `errno`.
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    /// What the child's descriptor 0, 1 or 2 is connected to.
    enum Stream {
        /// `/dev/null`.
        case null
        /// This descriptor of ours (the child gets a duplicate).
        case descriptor(Int32)
    }

    /// Starts `executable` with `arguments` (argv[0] is the executable's path) in `directory`
    /// (the current one when nil), with this process's environment; returns its process id.
    /// `environ` without any ``ParentProcessWatch/variable`` entry, plus one naming this process.
    static func childEnvironment() -> [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix(ParentProcessWatch.variable + "=") { entries.append(text) }
            cursor += 1
        }
        return entries + [ParentProcessWatch.environmentEntry]
    }

    static func start(
        _ executable: URL, _ arguments: [String], directory: URL?,
        input: Stream, output: Stream, error: Stream
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        try check("posix_spawn_file_actions_init", posix_spawn_file_actions_init(&actions))
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(input, Int32(0)), (output, 1), (error, 2)] {
            switch stream {
            case .null:
                try check("posix_spawn_file_actions_addopen", posix_spawn_file_actions_addopen(
                    &actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0))
            case .descriptor(let descriptor):
                try check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(&actions, descriptor, target))
            }
        }
        try check("posix_spawn_file_actions_addclosefrom_np", cspawn_addclosefrom(&actions, 3))
        if let directory {
            try check("posix_spawn_file_actions_addchdir_np", cspawn_addchdir(&actions, directory.path))
        }

        var attributes = posix_spawnattr_t()
        try check("posix_spawnattr_init", posix_spawnattr_init(&attributes))
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals this process ignores (SIGPIPE) or blocks stay ours: the child starts with the
        // defaults, as it would from a shell.
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        var empty = sigset_t()
        sigemptyset(&empty)
        try check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(&attributes, &defaults))
        try check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(&attributes, &empty))
        try check("posix_spawnattr_setflags", posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        // This process's environment, naming it as the child's parent (`ParentProcessWatch`: a
        // `reentrybus` child ends when this process does, crashed or not; others ignore it).
        let envp: [UnsafeMutablePointer<CChar>?] = childEnvironment().map { strdup($0) } + [nil]
        defer { for entry in envp { free(entry) } }
        var pid: pid_t = 0
        try check("posix_spawn \(executable.path)", posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp))
        return pid
    }

    /// A pipe whose two ends are close-on-exec: (read end, write end).
    static func pipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard cspawn_pipe_cloexec(&ends) == 0 else { throw Failure(call: "pipe2", code: errno) }
        return (ends[0], ends[1])
    }

    /// Reads `descriptor` to its end, handing each chunk to `received`; closes it.
    static func readToEnd(_ descriptor: Int32, _ received: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                received(Array(buffer[0..<count]))
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(descriptor)
    }

    /// Writes all of `bytes` to `descriptor` (stopping early if the reader has gone); closes it.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count > 0 {
                written += count
            } else if count < 0 && errno != EINTR {
                break
            }
        }
        close(descriptor)
    }

    /// Blocks until `pid` ends; returns how.
    static func waitForExit(_ pid: pid_t) -> ChildProcess.Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return ChildProcess.Termination(status: -1, bySignal: false) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7f
        return signal == 0
            ? ChildProcess.Termination(status: (status >> 8) & 0xff, bySignal: false)
            : ChildProcess.Termination(status: signal, bySignal: true)
    }

    private static func check(_ call: String, _ result: Int32) throws {
        if result != 0 { throw Failure(call: call, code: result) }
    }
}
