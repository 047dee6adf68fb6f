import Contracts
import Demo
import Foundation
import TestSupport
import Testing

/// `reentrybus subscriptions add|list|renew|cancel` as a user runs them, against the embedded
/// broker holding the demo's agency directory: what each prints, what lands on
/// bus.subscriptions, and what is refused (status 64, the field named, nothing published).
@Suite("reentrybus subscriptions on the embedded broker")
struct SubscriptionsCommandTests {
    /// One entry of `list --json`.
    struct Listed: Decodable {
        var state: String
        var subscription: SubscriptionRecorded
    }

    @Test func addListRenewCancelAndRefusals() async throws {
        let bus = try await TestBus()
        try await bus.publish(try DemoScenario.directory.map { try DemoScenario.agencyDescribed($0, now: scenarioNow, id: UUID()) })
        let cluster = ["--bootstrap", bus.kafka.bootstrapServers, "--dir", topicsDirectory.path, "--connect-timeout", "20", "--log-level", "error"]
        func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
            let (termination, process) = try await runReentrybus(["subscriptions"] + arguments + cluster)
            #expect(!termination.bySignal)
            return (termination.status, process.output.value, process.errors.value)
        }
        func listed(_ arguments: [String] = []) async throws -> [Listed] {
            let list = try await run(["list", "--json"] + arguments)
            try #require(list.status == 0, "\(list.errors)")
            return try EventCodec.decodeJSON([Listed].self, from: Array(list.output.utf8))
        }
        /// The keys on bus.subscriptions, in order.
        func keysOnTheTopic() async throws -> [String] {
            try await kcat(["-b", bus.kafka.bootstrapServers, "-C", "-t", BusTopic.subscriptions, "-e", "-q", "-f", "%k\\n"])
                .split(separator: "\n").map(String.init)
        }

        // An officer follows a person; an agency follows its city until 20 days from now.
        let officer = try await run([
            "add", "--subscriber", "officer:PP-KC-118", "--agency", "MO-DOC-PP", "--state-id", "MO1234567", "--events", "releases,arrests",
            "--events", "bookings", "--purpose", "Pre-release planning for his parole", "--legal-basis", "supervision_authority",
            "--citation", "RSMo 217.690", "--by", "officer:PP-KC-118",
        ])
        #expect(officer.status == 0, "\(officer.errors)")
        let officerId = officer.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(UUID(uuidString: officerId) != nil, "add prints the id alone: \(officer.output)")
        let soon = EventCodec.formatInstant(Date().addingTimeInterval(20 * 86_400))
        let police = try await run([
            "add", "--subscriber", "agency:MO-KCPD", "--place", "Kansas City", "--state", "MO", "--events", "releases",
            "--purpose", "Save KC: meet people releasing to Kansas City", "--legal-basis", "information_sharing_agreement",
            "--until", soon, "--by", "operator:bus-ops-1",
        ])
        #expect(police.status == 0, "\(police.errors)")
        let policeId = police.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await keysOnTheTopic() == [officerId, policeId])

        // Listed as recorded: the table for people, the whole state as JSON.
        let table = try await run(["list"])
        #expect(table.status == 0, "\(table.errors)")
        #expect(table.output.contains("officer:PP-KC-118") && table.output.contains("person MO1234567"), "\(table.output)")
        #expect(table.output.contains("place Kansas City, MO") && table.output.contains("arrests,bookings,releases"), "\(table.output)")
        var all = try await listed()
        #expect(Set(all.map(\.subscription.subscriptionId)) == [officerId, policeId])
        #expect(all.allSatisfy { $0.state == "active" })
        let recorded = try #require(all.first { $0.subscription.subscriptionId == officerId }?.subscription)
        #expect(recorded.subject == SubscriptionSubject(person: SubscribedPerson(stateId: "MO1234567")))
        #expect(recorded.eventKinds == [.arrests, .bookings, .releases])
        #expect(recorded.legalBasis == LegalBasis(basis: .supervisionAuthority, citation: "RSMo 217.690"))
        #expect(recorded.expiresAt.timeIntervalSince(recorded.startsAt) >= 365 * 86_400, "a year by default")
        #expect(try await listed(["--subscriber", "officer:PP-KC-118"]).map(\.subscription.subscriptionId) == [officerId])
        #expect(try await listed(["--expiring-within", "30d"]).map(\.subscription.subscriptionId) == [policeId])
        #expect(try await listed(["--expiring-within", "30d", "--as-of", EventCodec.formatInstant(Date().addingTimeInterval(-30 * 86_400))]).isEmpty)

        // Renewed until a day within the year; cancelled with a reason.
        let until = EventCodec.formatInstant(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 200 * 86_400).rounded(.down)))
        let renew = try await run(["renew", policeId, "--until", until, "--by", "officer:KCPD-4471"])
        #expect(renew.status == 0, "\(renew.errors)")
        #expect(renew.output == "subscription \(policeId) renewed until \(until)\n")
        let cancel = try await run(["cancel", officerId, "--by", "operator:bus-ops-1", "--reason", "Case transferred to St. Louis"])
        #expect(cancel.status == 0, "\(cancel.errors)")
        #expect(cancel.output == "subscription \(officerId) cancelled\n")
        all = try await listed()
        let renewed = try #require(all.first { $0.subscription.subscriptionId == policeId })
        #expect(renewed.state == "active")
        #expect(renewed.subscription.renewals.map(\.renewedBy) == ["officer:KCPD-4471"])
        #expect(EventCodec.formatInstant(renewed.subscription.expiresAt) == until)
        let cancelled = try #require(all.first { $0.subscription.subscriptionId == officerId })
        #expect(cancelled.state == "cancelled" && cancelled.subscription.status == .cancelled)
        #expect(cancelled.subscription.cancellation?.cancelledBy == "operator:bus-ops-1")
        #expect(cancelled.subscription.cancellation?.reason == "Case transferred to St. Louis")
        #expect(try await listed(["--expiring-within", "30d"]).isEmpty)
        #expect(try await keysOnTheTopic() == [officerId, policeId, policeId, officerId])

        // Refused, naming the field, with status 64 and nothing published.
        let refusals: [(arguments: [String], message: String)] = [
            (["add", "--subscriber", "officer:PP-KC-118", "--agency", "MO-DOC-PP", "--state-id", "MO1234567", "--events", "arrests",
              "--legal-basis", "supervision_authority", "--by", "officer:PP-KC-118"],
             "reentrybus subscriptions add: refused: purpose: a subscription states why the subscriber needs to know"),
            (["add", "--subscriber", "officer:PP-KC-118", "--agency", "MO-NOWHERE", "--state-id", "MO1234567", "--events", "arrests",
              "--purpose", "x", "--legal-basis", "supervision_authority", "--by", "officer:PP-KC-118"],
             "reentrybus subscriptions add: refused: subscriberAgencyId: MO-NOWHERE is not in the agency directory"),
            (["add", "--subscriber", "agency:MO-KCPD", "--agency-feed", "MO-JCSO", "--events", "bookings", "--purpose", "x",
              "--legal-basis", "other", "--by", "operator:bus-ops-1"],
             "reentrybus subscriptions add: refused: legalBasis.text: the basis other is described in words"),
            (["add", "--subscriber", "agency:MO-KCPD", "--county", "Jackson", "--state", "MO", "--events", "incidents", "--purpose", "x",
              "--legal-basis", "task_force", "--until", "2020-01-01", "--by", "operator:bus-ops-1"],
             "reentrybus subscriptions add: refused: expiresAt: 2020-01-01T00:00:00Z is"),
            (["renew", officerId, "--by", "officer:PP-KC-118"],
             "reentrybus subscriptions renew: refused: status: subscription \(officerId) is cancelled; add a new one"),
            (["cancel", UUID().uuidString.lowercased(), "--by", "operator:bus-ops-1"], "there is no subscription"),
        ]
        for (arguments, message) in refusals {
            let refused = try await run(arguments)
            #expect(refused.status == 64, "\(arguments): \(refused.errors)")
            #expect(refused.errors.contains(message), "\(arguments): \(refused.errors)")
            #expect(refused.output.isEmpty, "\(arguments): \(refused.output)")
        }
        // Bad options are refused before anything is read.
        let noSubject = try await run(["add", "--subscriber", "agency:MO-KCPD", "--events", "arrests", "--by", "operator:bus-ops-1"])
        #expect(noSubject.status == 64)
        #expect(noSubject.errors.contains("subject: give exactly one of a person"), "\(noSubject.errors)")
        let unknown = try await run(["add", "--subscriber", "agency:MO-KCPD", "--state-id", "UNKNOWN", "--events", "arrests", "--by", "operator:x"])
        #expect(unknown.status == 64)
        #expect(unknown.errors.contains("subject: --state-id says there is no number"), "\(unknown.errors)")
        let badKind = try await run(["add", "--subscriber", "agency:MO-KCPD", "--state-id", "MO1", "--events", "parking", "--by", "operator:x"])
        #expect(badKind.status == 64)
        #expect(badKind.errors.contains("eventKinds: parking is not a kind of event"), "\(badKind.errors)")
        #expect(try await keysOnTheTopic().count == 4, "nothing more was published")
    }
}
