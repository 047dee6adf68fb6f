import Foundation

/// Executables of this package, found in the build folder next to the test bundle.
public enum BuildProducts {
    /// The executable `name` (e.g. `reentrybus`) built with the tests, or nil when it is not there.
    public static func executable(_ name: String) -> URL? {
        let folders = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        return folders.map { $0.appendingPathComponent(name) }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
