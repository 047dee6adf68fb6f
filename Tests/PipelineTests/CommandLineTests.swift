import Foundation
import Notifications
import Pipeline
import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `reentrybus` to its end.
func runReentrybus(_ arguments: [String]) async throws -> (ChildProcess.Termination, ChildProcess) {
    let process = try ChildProcess(try reentrybusBinary(), arguments)
    let termination = try await within(.seconds(60), "reentrybus \(arguments.first ?? "") to end") { await process.waitForExit() }
    return (termination, process)
}

/// What users see from the command line: bad input refused with a sentence, `dev` keeping its
/// hands off databases it did not create (a start that cannot reach its broker:
/// `ConnectTimeoutTests`).
@Suite("reentrybus on the command line") struct CommandLineTests {
    /// A view without the views database says where it looked and how to make one; a view
    /// asked for both an officer and an agency says which to give; nothing is created.
    @Test func aViewWithoutItsDatabaseOrWithConflictingScopesIsRefused() async throws {
        let directory = temporaryDirectory("reentrybus-view")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (missing, process) = try await runReentrybus(["view", "board", "--facility", "MO-DOC-WERDCC", "--data-dir", directory.path])
        #expect(missing == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("There is no views database at \(directory.path)/views.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("views.sqlite").path))
        let (both, second) = try await runReentrybus(["view", "caseload", "--officer", "PP-1", "--agency", "MO-X", "--data-dir", directory.path])
        #expect(both == .init(status: 64, bySignal: false))
        #expect(second.errors.value.contains("Give either --officer or --agency."))
        let (badDate, third) = try await runReentrybus(["view", "high-needs", "--as-of", "yesterday", "--data-dir", directory.path])
        #expect(badDate == .init(status: 64, bySignal: false))
        #expect(third.errors.value.contains("--as-of yesterday is neither YYYY-MM-DD nor an RFC 3339 time"))
    }

    /// A replay's transaction size is a count of events between 1 and 100,000, refused before
    /// anything runs.
    @Test(arguments: ["0", "100001", "-5"])
    func replayRefusesATransactionSizeOutOfRange(_ size: String) async throws {
        let directory = temporaryDirectory("reentrybus-replay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (termination, process) = try await runReentrybus(
            ["replay", "router", "--events-per-transaction=\(size)", "--data-dir", directory.path])
        #expect(termination == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("--events-per-transaction \(size) is not between 1 and 100000."))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("router.sqlite.replay").path))
    }

    @Test(arguments: ["1", "16385"])
    func replayRefusesACacheSizeOutOfRange(_ size: String) async throws {
        let directory = temporaryDirectory("reentrybus-replay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (termination, process) = try await runReentrybus(["replay", "router", "--sqlite-cache-mib", size, "--data-dir", directory.path])
        #expect(termination == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("--sqlite-cache-mib \(size) is not between 2 and 16384."))
    }

    /// Finding 10: a recipient must be kind:id with a known kind and an id.
    /// `bench replay --postgres` takes only a PostgreSQL URL, refused before anything runs,
    /// and a refusal never repeats the URL's password.
    @Test func benchReplayOnAServerNeedsAPostgresURL() async throws {
        let (other, first) = try await runReentrybus(["bench", "replay", "--events", "10", "--postgres", "mysql://bench@localhost/db"])
        #expect(other == .init(status: 64, bySignal: false), "\(first.errors.value)")
        #expect(first.errors.value.contains("--postgres must be a postgres:// URL"))
        let (malformed, second) = try await runReentrybus(["bench", "replay", "--events", "10", "--postgres", "postgres://bench:s3cr3t@localhost:port/db"])
        #expect(malformed == .init(status: 64, bySignal: false), "\(second.errors.value)")
        #expect(second.errors.value.contains("--postgres: is a PostgreSQL URL that"))
        #expect(!second.errors.value.contains("s3cr3t") && !second.output.value.contains("s3cr3t"))
    }

    @Test(arguments: ["bogus:kind:x", "", "PP-KC-118", "officer:", ":PP-KC-118", "Officer:PP-KC-118"])
    func inboxRefusesARecipientThatIsNotKindColonId(_ recipient: String) async throws {
        let directory = temporaryDirectory("reentrybus-inbox")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (termination, process) = try await runReentrybus(["inbox", recipient, "--data-dir", directory.path])
        #expect(termination == .init(status: 64, bySignal: false), "\(process.errors.value)")  // ArgumentParser's validation status
        #expect(process.errors.value.contains("is not kind:id with a kind among officer, unit, agency, facility, duty, role and a non-empty id"))
        #expect(process.output.value.isEmpty)
    }

    @Test func inboxAcceptsAKnownKind() async throws {
        let directory = temporaryDirectory("reentrybus-inbox")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try ServiceDatabase(path: directory.appendingPathComponent("inbox.sqlite").path, migrations: InboxProjection(verifyingKeys: [], signingKey: .random()).migrations)
        let (termination, process) = try await runReentrybus(["inbox", "agency:police:MO:Kansas City", "--data-dir", directory.path])
        #expect(termination == .init(status: 0, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("no notifications for agency:police:MO:Kansas City"))
    }

    /// Services in separate processes must share the notification key: `serve` without one
    /// refuses to start and says how to give one, never printing a key.
    @Test func serveRefusesToStartWithoutANotificationKey() async throws {
        let directory = temporaryDirectory("reentrybus-serve-key")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (termination, process) = try await runReentrybus(["serve", "router", "--data-dir", directory.path, "--dir", topicsDirectory.path])
        #expect(termination == .init(status: 64, bySignal: false))
        #expect(process.errors.value.contains("REENTRYBUS_NOTIFICATION_KEY"), "\(process.errors.value)")

        let short = directory.appendingPathComponent("short.key")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("00112233".utf8).write(to: short)
        let (refused, shortProcess) = try await runReentrybus([
            "serve", "router", "--data-dir", directory.path, "--dir", topicsDirectory.path, "--notification-key-file", short.path,
        ])
        #expect(refused == .init(status: 64, bySignal: false))
        #expect(shortProcess.errors.value.contains("\(short.path): notification signing key: 4 bytes is too short"), "\(shortProcess.errors.value)")
        #expect(!shortProcess.errors.value.contains("00112233"))
    }

    /// `serve gateway` needs the token issuer's public keys, and refuses a key set holding a
    /// private key, before anything starts; the gateway's flags are refused for other services.
    @Test func serveGatewayNeedsAPublicKeySet() async throws {
        let directory = temporaryDirectory("reentrybus-serve-gateway")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (missing, process) = try await runReentrybus(["serve", "gateway", "--data-dir", directory.path, "--dir", topicsDirectory.path])
        #expect(missing == .init(status: 64, bySignal: false))
        #expect(process.errors.value.contains("REENTRYBUS_GATEWAY_JWKS_FILE"), "\(process.errors.value)")

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let jwks = directory.appendingPathComponent("jwks.json")
        try Data(#"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"k","x":"a","y":"b","d":"c2VjcmV0"}]}"#.utf8).write(to: jwks)
        let (refused, privateProcess) = try await runReentrybus([
            "serve", "gateway", "--data-dir", directory.path, "--dir", topicsDirectory.path, "--jwks-file", jwks.path,
        ])
        #expect(refused == .init(status: 64, bySignal: false))
        #expect(privateProcess.errors.value.contains("private key material"), "\(privateProcess.errors.value)")
        #expect(!privateProcess.errors.value.contains("c2VjcmV0"))

        let (wrongService, wrongProcess) = try await runReentrybus([
            "serve", "router", "--listen", "127.0.0.1:8080", "--data-dir", directory.path, "--dir", topicsDirectory.path,
        ])
        #expect(wrongService == .init(status: 64, bySignal: false))
        #expect(wrongProcess.errors.value.contains("the gateway's"), "\(wrongProcess.errors.value)")
    }

    /// Finding 9: `dev` refuses a directory holding databases it did not create (here, as
    /// `serve` leaves them) and deletes nothing.
    @Test func devRefusesADirectoryWithDatabasesItDidNotCreate() async throws {
        let directory = temporaryDirectory("reentrybus-serve-data")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let router = directory.appendingPathComponent("router.sqlite")
        try Data("serve's state".utf8).write(to: router)
        let (termination, process) = try await runReentrybus(["dev", "--gateway-listen", "127.0.0.1:0", "--data-dir", directory.path, "--dir", topicsDirectory.path])
        #expect(termination == .init(status: 1, bySignal: false))
        #expect(process.errors.value.contains("holds databases that `reentrybus dev` did not create (router.sqlite)"), "\(process.errors.value)")
        #expect(try Data(contentsOf: router) == Data("serve's state".utf8))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(DevDataDirectory.markerName).path))
    }

    /// `dev` on a new directory marks it as its own, runs, and stops cleanly on SIGTERM
    /// (status 0) within its shutdown deadline.
    @Test func devMarksANewDirectoryAndStopsOnSIGTERM() async throws {
        let directory = temporaryDirectory("reentrybus-dev")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = try ChildProcess(try reentrybusBinary(), [
            "dev", "--gateway-listen", "127.0.0.1:0", "--data-dir", directory.path, "--dir", topicsDirectory.path, "--shutdown-deadline", "20", "--log-level", "warning",
        ])
        let banner = try await within(.seconds(60), "dev to start") { await process.waitForLine(startingWith: "reentrybus dev:") }
        #expect(banner != nil, "\(process.lastErrorLines())")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(DevDataDirectory.markerName).path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("router.sqlite").path))
        process.send(SIGTERM)
        let termination = try await within(.seconds(40), "dev to stop") { await process.waitForExit() }
        #expect(termination == .init(status: 0, bySignal: false), "\(process.lastErrorLines())")
    }
}

/// `dev`'s data directory: it deletes only what it created.
@Suite struct DevDataDirectoryTests {
    private let files = FileManager.default

    @Test func aMissingDirectoryIsCreatedAndMarked() throws {
        let directory = temporaryDirectory("reentrybus-dev")
        defer { try? files.removeItem(at: directory) }
        try DevDataDirectory(directory).prepareFreshRun()
        #expect(files.fileExists(atPath: directory.appendingPathComponent(DevDataDirectory.markerName).path))
    }

    @Test func aMarkedDirectoryLosesTheServicesDatabasesAndNothingElse() throws {
        let directory = temporaryDirectory("reentrybus-dev")
        defer { try? files.removeItem(at: directory) }
        try DevDataDirectory(directory).prepareFreshRun()
        let databases = ["router.sqlite", "router.sqlite-wal", "router.sqlite-shm", "inbox.sqlite", "warrant-resolver.sqlite"]
        for name in databases + ["notes.txt"] { try Data("x".utf8).write(to: directory.appendingPathComponent(name)) }
        try DevDataDirectory(directory).prepareFreshRun()
        for name in databases { #expect(!files.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)") }
        #expect(files.fileExists(atPath: directory.appendingPathComponent("notes.txt").path))
    }

    @Test func anUnmarkedDirectoryWithDatabasesIsRefusedAndLeftAlone() throws {
        let directory = temporaryDirectory("reentrybus-serve")
        defer { try? files.removeItem(at: directory) }
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["inbox.sqlite", "inbox.sqlite-wal", "other.sqlite"] { try Data("x".utf8).write(to: directory.appendingPathComponent(name)) }
        #expect(throws: DevDataDirectoryError.notCreatedByDev(path: directory.path, databases: ["inbox.sqlite", "inbox.sqlite-wal", "other.sqlite"])) {
            try DevDataDirectory(directory).prepareFreshRun()
        }
        for name in ["inbox.sqlite", "inbox.sqlite-wal", "other.sqlite"] { #expect(files.fileExists(atPath: directory.appendingPathComponent(name).path)) }
        #expect(!files.fileExists(atPath: directory.appendingPathComponent(DevDataDirectory.markerName).path))
    }

    @Test func anUnmarkedDirectoryWithoutDatabasesIsMarked() throws {
        let directory = temporaryDirectory("reentrybus-dev")
        defer { try? files.removeItem(at: directory) }
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: directory.appendingPathComponent("README"))
        try DevDataDirectory(directory).prepareFreshRun()
        #expect(files.fileExists(atPath: directory.appendingPathComponent(DevDataDirectory.markerName).path))
        #expect(files.fileExists(atPath: directory.appendingPathComponent("README").path))
    }

    @Test func aFileIsNotADataDirectory() throws {
        let file = temporaryDirectory("reentrybus-file")
        defer { try? files.removeItem(at: file) }
        try Data("x".utf8).write(to: file)
        #expect(throws: DevDataDirectoryError.notADirectory(path: file.path)) { try DevDataDirectory(file).prepareFreshRun() }
    }
}
