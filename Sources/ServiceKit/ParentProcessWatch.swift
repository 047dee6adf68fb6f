import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Ends a `reentrybus` process when the process that started it ends, if that process asked.
///
/// Tests and benchmarks start `reentrybus` (`dev`, `serve`, `broker`) as children through
/// `ChildProcess`, which names itself in ``variable``. A test process that crashes cannot stop
/// its children, and they went on using the CPU under later tests and benchmarks (three
/// `reentrybus dev` at a quarter of a core each, once). The child cannot ask the kernel
/// (`PR_SET_PDEATHSIG` fires when the parent's *thread* that spawned it ends, and the parent's
/// threads come and go), so it watches: a thread of its own checks twice a second whether its
/// parent is still the one named. When it is not, the process sends itself SIGTERM (the
/// services stop as on Ctrl-C, committing what they did) and exits after 20 seconds if that
/// has not ended it.
///
/// The variable is removed from the environment at once, so the process's own children do not
/// inherit it. A process whose parent at start is not the one named stops at once if the named
/// one no longer exists (it ended before this process started watching), and otherwise does
/// not watch (it inherited the variable from further up).
public enum ParentProcessWatch {
    /// The environment variable holding the parent's process id.
    public static let variable = "REENTRYBUS_EXIT_WITH_PARENT"

    /// The entry for a child's environment naming this process.
    public static var environmentEntry: String { "\(variable)=\(getpid())" }

    /// Starts the watch when ``variable`` names this process's parent; returns whether it did.
    @discardableResult
    public static func startIfAsked() -> Bool {
        guard let value = getenv(variable).map({ String(cString: $0) }) else { return false }
        unsetenv(variable)
        guard let parent = pid_t(value), parent > 1 else { return false }
        // Another parent at start: the named one ended before this process got here (it is
        // gone), or the variable came down from further up (it lives, and is not ours to watch).
        guard getppid() == parent || kill(parent, 0) != 0 && errno == ESRCH else { return false }
        let watch = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.5) }
            FileHandle.standardError.write(Data("reentrybus: the process that started this one (\(parent)) has ended; stopping\n".utf8))
            kill(getpid(), SIGTERM)
            Thread.sleep(forTimeInterval: 20)
            _exit(1)
        }
        watch.name = "parent-process-watch"
        watch.start()
        return true
    }
}
