import Audit
import Contracts
import Foundation
import Kafka
import Logging
import Policy
import Storage
import TestSupport
import Testing

/// `reentrybus audit verify` and `search`, run as a user runs them, on a ledger in a data directory.
@Suite("reentrybus audit on the command line")
struct AuditCommandLineTests {
    static func run(_ arguments: [String]) async throws -> (ChildProcess.Termination, ChildProcess) {
        let binary = try #require(BuildProducts.executable("reentrybus"), "build the reentrybus executable with the tests")
        let process = try ChildProcess(binary, arguments)
        let termination = try await within(.seconds(60), "reentrybus \(arguments.joined(separator: " "))") { await process.waitForExit() }
        return (termination, process)
    }

    @Test("search prints each entry's outcome: disclosed, or denied with the reason")
    func searchOutcome() async throws {
        let directory = temporaryDirectory("reentrybus-audit-outcome")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ledger = try await AuditLedger.open(storage: try SQLiteStorage(path: directory.appendingPathComponent("audit.sqlite").path))
        try await ledger.append(AuditScenarios.disclosure(1))
        try await ledger.append(.denial(
            requester: AuditScenarios.analyst, requestId: "req-2", resource: "bus.notification.routed", reason: .notAddressedToCaller,
            persons: [PersonIdentifier(identifier: "stateId", value: "MO1234567")], at: AuditScenarios.start))
        let (status, search) = try await Self.run(["audit", "search", "--person", "MO1234567", "--data-dir", directory.path])
        #expect(status == .init(status: 0, bySignal: false), "\(search.errors.value)")
        let lines = search.output.value.split(separator: "\n")
        #expect(lines.first?.contains("OUTCOME") == true)
        #expect(lines.contains { $0.contains("PP-KC-118") && $0.contains(" disclosed ") })
        #expect(lines.contains { $0.contains("kcpd-analyst-4") && $0.contains("denied (not_addressed_to_caller)") })
    }

    @Test("verify exits 0 on a whole chain and 1 naming the first bad entry; search lists who saw a person")
    func verifyAndSearch() async throws {
        let directory = temporaryDirectory("reentrybus-audit")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("audit.sqlite").path)
        let ledger = try await AuditLedger.open(storage: storage)
        for n in 1...3 { try await ledger.append(AuditScenarios.disclosure(n)) }
        try await ledger.append(AuditScenarios.disclosure(4, about: "MO7654321", to: AuditScenarios.analyst))

        let (intact, verify) = try await Self.run(["audit", "verify", "--data-dir", directory.path])
        #expect(intact == .init(status: 0, bySignal: false), "\(verify.errors.value)")
        let head = try #require(try await ledger.verify().head)
        #expect(verify.output.value.contains("audit ledger intact: 4 entries; head 4 \(head.hash)"))

        let (found, search) = try await Self.run(["audit", "search", "--person", "MO7654321", "--json", "--data-dir", directory.path])
        #expect(found == .init(status: 0, bySignal: false), "\(search.errors.value)")
        let entries = try JSONSerialization.jsonObject(with: Data(search.output.value.utf8)) as? [[String: Any]]
        #expect(entries?.count == 1)
        #expect((entries?.first?["requester"] as? [String: Any])?["subject"] as? String == "kcpd-analyst-4")
        #expect(entries?.first?["purpose"] as? String == "investigation")
        // A value that says there is no number names nobody: refused as a usage error.
        let (usage, placeholder) = try await Self.run(["audit", "search", "--person", "UNKNOWN", "--data-dir", directory.path])
        #expect(usage == .init(status: 64, bySignal: false))
        #expect(placeholder.errors.value.contains("--person UNKNOWN says there is no number"), "\(placeholder.errors.value)")
        let (_, table) = try await Self.run(["audit", "search", "--person", "MO1234567", "--data-dir", directory.path])
        #expect(table.output.value.contains("PP-KC-118"))
        #expect(!table.output.value.contains("kcpd-analyst-4"))

        try await AuditScenarios.tamper(storage, ["DELETE FROM audit_entries WHERE sequence = 2"])
        let (broken, again) = try await Self.run(["audit", "verify", "--data-dir", directory.path])
        #expect(broken == .init(status: 1, bySignal: false))
        #expect(again.errors.value.contains("the chain is broken at entry 2 removed: missing; the next entry is 3"), "\(again.errors.value)")

        // The outbox goes to bus.audit once a broker with the topic answers; until then it stays.
        var logger = Logger(label: "audit-cli-tests")
        logger.logLevel = .warning
        let kafka = try EmbeddedKafka(brokers: 1, logger: logger)
        defer { kafka.shutdown() }
        let (noTopic, refused) = try await Self.run(["audit", "publish", "--bootstrap", kafka.bootstrapServers, "--data-dir", directory.path])
        #expect(noTopic == .init(status: 1, bySignal: false))
        #expect(refused.errors.value.contains("the cluster has no topic bus.audit"), "\(refused.errors.value)")
        #expect(try await ledger.pendingPublicationCount() == 3)
        try kafka.createTopic(BusTopic.audit, partitions: 1)
        let (published, publish) = try await Self.run(["audit", "publish", "--bootstrap", kafka.bootstrapServers, "--data-dir", directory.path])
        #expect(published == .init(status: 0, bySignal: false), "\(publish.errors.value)")
        #expect(publish.output.value.contains("published 3 audit entries to bus.audit"))
        #expect(try await ledger.pendingPublicationCount() == 0)

        // No ledger there: said so, and none is created.
        let empty = temporaryDirectory("reentrybus-audit-none")
        defer { try? FileManager.default.removeItem(at: empty) }
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let (missing, none) = try await Self.run(["audit", "verify", "--data-dir", empty.path])
        #expect(missing == .init(status: 64, bySignal: false))
        #expect(none.errors.value.contains("There is no audit ledger at"))
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("audit.sqlite").path))
    }
}
