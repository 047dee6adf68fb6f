import Foundation

extension TopicCatalog {
    /// Name of the resource bundle SwiftPM builds for this module (package `ReentryBus`,
    /// target `Contracts`), beside the executable.
    static let embeddedBundleName = "ReentryBus_Contracts"

    /// Where the contracts this build carries are: the resource bundle beside the executable,
    /// or `nil` when the executable was copied away from it.
    ///
    /// The bundle is SwiftPM's copy of the repository's `Topics/` (through the symbolic link
    /// `Sources/Contracts/Resources/Topics`), flattened: the contract files, and the generated
    /// schemas and examples beside them rather than under `schemas/` and `examples/`. Loading
    /// needs only the contract files. Looked up here rather than through `Bundle.module`,
    /// whose accessor stops the process when the bundle is missing.
    public static var embeddedDirectory: URL? {
        var folders = [Bundle.main.bundleURL]
        // A symbolic link to the executable (e.g. in /usr/local/bin) leads back to the build folder.
        if let executable = Bundle.main.executableURL {
            folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        for folder in folders {
            for candidate in [
                folder.appendingPathComponent("\(embeddedBundleName).resources", isDirectory: true),
                folder.appendingPathComponent("\(embeddedBundleName).bundle/Contents/Resources", isDirectory: true),
                folder.appendingPathComponent("\(embeddedBundleName).bundle", isDirectory: true),
            ] where FileManager.default.fileExists(atPath: candidate.appendingPathComponent(Layout.glossaryFile).path) {
                return candidate
            }
        }
        return nil
    }

    /// The contracts built into this program, so it runs without a checkout of the repository.
    ///
    /// - Throws: ``ContractLoadingError`` when the resource bundle is missing (the executable
    ///   was copied without the `ReentryBus_Contracts.resources` folder beside it) or, which
    ///   the build's tests rule out, the contracts have problems.
    public static func embedded() throws(ContractLoadingError) -> TopicCatalog {
        guard let directory = embeddedDirectory else { throw missingBundle }
        return try load(from: directory)
    }

    private static var missingBundle: ContractLoadingError {
        ContractLoadingError(problems: [ContractProblem(
            file: "\(embeddedBundleName).resources", path: "$",
            message: "the contracts built into this program were not found beside it; copy that folder with the executable, or pass --dir")])
    }

    /// What ``check(directory:)`` checks for the built-in contracts, except the generated
    /// schemas and examples: the bundle holds them flattened, and the repository's tests check
    /// them in `Topics/`.
    public static func checkEmbedded() throws(ContractLoadingError) -> ContractCheckReport {
        guard let directory = embeddedDirectory else { throw missingBundle }
        return check(directory: directory, exports: false)
    }
}
