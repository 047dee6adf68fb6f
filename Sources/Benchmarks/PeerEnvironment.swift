import Foundation
import LocalPostgres

/// The Python virtual environment a benchmark's peer runs in: made on first use with pinned
/// packages from PyPI, reused while its marker file (`reentrybus-peer-packages`) names exactly
/// those packages, made anew (`venv --clear`) when the pins change.
struct PeerEnvironment: Sendable {
    /// Where the environment lives.
    var directory: URL
    /// The pinned packages (`name==version`), so that a ratio is measured against the same
    /// peer each time.
    var packages: [String]
    /// The Python that makes the environment, looked up on `PATH`.
    var python: String

    /// The environment's Python, after installing the pinned packages if they are not there.
    /// Throws ``BenchmarkFailure`` saying why when Python or PyPI is not available.
    func prepare(progress: (String) -> Void) async throws -> URL {
        let interpreter = directory.appendingPathComponent("bin/python")
        let marker = directory.appendingPathComponent("reentrybus-peer-packages")
        let wanted = packages.joined(separator: " ")
        if (try? String(contentsOf: marker, encoding: .utf8)) == wanted,
            FileManager.default.isExecutableFile(atPath: interpreter.path)
        {
            return interpreter
        }
        progress("making the peer's environment in \(directory.path) (\(wanted), from PyPI)")
        let env = URL(fileURLWithPath: "/usr/bin/env")
        let made = try await ChildProcess.run(env, [python, "-m", "venv", "--clear", directory.path])
        guard made.termination == .init(status: 0, bySignal: false) else {
            if made.termination == .init(status: 127, bySignal: false) {
                throw BenchmarkFailure(description: "\(python) is not on PATH (the peer needs Python 3 with venv)")
            }
            throw BenchmarkFailure(description: "could not make a Python environment at \(directory.path): \(made.errors.suffix(1_000))")
        }
        let pip = directory.appendingPathComponent("bin/pip")
        let installed = try await ChildProcess.run(pip, ["install", "--quiet", "--disable-pip-version-check"] + packages)
        guard installed.termination == .init(status: 0, bySignal: false) else {
            throw BenchmarkFailure(description: "pip could not install \(wanted): \(installed.errors.suffix(1_000))")
        }
        try Data(wanted.utf8).write(to: marker)
        return interpreter
    }
}
