import Foundation

/// The data directory of `reentrybus dev`, which starts every run from empty databases (the
/// embedded broker keeps nothing between runs, so last run's offsets would point past the new
/// topics' ends) and therefore deletes the databases of its previous run, and nothing else.
///
/// `dev` marks a directory it uses with a file of its own (`markerName`). A directory holding
/// SQLite databases without that mark (`serve`'s, another program's) is refused, never
/// emptied; a directory without databases gets the mark.
public struct DevDataDirectory: Sendable {
    /// The mark `dev` leaves in a directory it owns.
    public static let markerName = ".reentrybus-dev"

    public let url: URL

    public init(_ url: URL) {
        self.url = url
    }

    /// Makes the directory ready for a fresh run: creates it with the mark when missing;
    /// when marked, deletes the databases of `services` (with their `-wal` and `-shm` files);
    /// when unmarked and holding no database, marks it; otherwise throws `notCreatedByDev`
    /// and changes nothing.
    public func prepareFreshRun(for services: [ServiceName] = ServiceName.allCases) throws(DevDataDirectoryError) {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notADirectory(path: url.path) }
        } else {
            try attempt("create the directory", url.path) { try files.createDirectory(at: url, withIntermediateDirectories: true) }
        }
        let marker = url.appendingPathComponent(Self.markerName)
        if files.fileExists(atPath: marker.path) {
            for service in services {
                let database = url.appendingPathComponent("\(service.rawValue).sqlite").path
                for path in [database, database + "-wal", database + "-shm"] where files.fileExists(atPath: path) {
                    try attempt("delete", path) { try files.removeItem(atPath: path) }
                }
            }
            return
        }
        let contents = try attempt("list", url.path) { try files.contentsOfDirectory(atPath: url.path) }
        let databases = contents.filter { $0.hasSuffix(".sqlite") || $0.hasSuffix(".sqlite-wal") || $0.hasSuffix(".sqlite-shm") }.sorted()
        guard databases.isEmpty else { throw .notCreatedByDev(path: url.path, databases: databases) }
        try attempt("mark", marker.path) {
            try Data("Created by `reentrybus dev`, which deletes the services' databases here at each start.\n".utf8)
                .write(to: marker)
        }
    }

    private func attempt<T>(_ action: String, _ path: String, _ body: () throws -> T) throws(DevDataDirectoryError) -> T {
        do {
            return try body()
        } catch {
            throw .fileSystem(action: action, path: path, reason: (error as NSError).localizedDescription)
        }
    }
}

/// Why `dev` would not use a data directory.
public enum DevDataDirectoryError: Error, CustomStringConvertible, Equatable {
    /// The directory holds databases `dev` did not create; it deletes none of them.
    case notCreatedByDev(path: String, databases: [String])
    case notADirectory(path: String)
    case fileSystem(action: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .notCreatedByDev(let path, let databases):
            "the data directory \(path) holds databases that `reentrybus dev` did not create (\(databases.joined(separator: ", "))); "
                + "dev deletes its databases at every start, so it uses only an empty directory or one it marked "
                + "(\(DevDataDirectory.markerName)): pass another --data-dir"
        case .notADirectory(let path):
            "the data directory \(path) is a file, not a directory: pass another --data-dir"
        case .fileSystem(let action, let path, let reason):
            "could not \(action) \(path): \(reason)"
        }
    }
}
