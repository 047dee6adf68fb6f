import Contracts
import Foundation
import Kafka
import Notifications
import PersonIndexStore
import ServiceKit
import TestSupport
import Testing

@testable import Routing

/// A notice retracted and due again is sent under a new id (`BusNotification.reissued`), and a
/// sealing order for listed cases finds it by following the re-send chain
/// (`RoutedScope.isRouted`, ``RoutedScope/reissuesFollowed`` re-sends). The router sends no
/// re-send past that bound: every notice it sends is one an order finds.
@Suite struct ReissueBoundTests {
    let key = NotificationSigningKey.random()

    private static let notice = BusNotification(
        recipient: .officer("PP-KC-118"), priority: .high, summary: "s", reason: NotificationReason(rule: "supervisee-arrested", explanation: "e", matched: []),
        facts: [], occurredAt: Date(timeIntervalSince1970: 1_750_000_000), subjectStateId: "MO1234567", sourceEventId: "e-1",
        sourceEventType: "police.arrest.made", scope: "CASE-1")

    /// The ids a notice routed for `CASE-1` takes, the first and then each re-send, `count` of them.
    private static func chain(_ count: Int) -> [String] {
        var ids = [notice.id]
        while ids.count < count {
            ids.append(BusNotification.id(
                sourceEventId: notice.sourceEventId, rule: notice.reason.rule, scope: RoutedScope.reissue(of: "CASE-1", after: ids[ids.count - 1]),
                recipient: notice.recipient))
        }
        return Array(ids.prefix(count))
    }

    struct Unbounded: Error {}

    /// With the first `retracted` ids of the chain retracted, the next one, which the order
    /// finds; with every id it follows retracted, none — after asking about those ids only.
    @Test func aNoticeIsSentAgainOnlyUnderAnIdASealingOrderFollows() throws {
        let bound = RoutedScope.reissuesFollowed
        let chain = Self.chain(bound + 2)
        for retracted in 0...bound {
            let again = try #require(Self.notice.reissued(scope: "CASE-1") { Set(chain.prefix(retracted)).contains($0) })
            #expect(again.id == chain[retracted])
            #expect(again.isRouted(forScope: "CASE-1"), "re-send \(retracted) is beyond what a listed-case order follows")
        }
        // Every id an order follows retracted (and any other id too): nothing to send.
        var asked: [String] = []
        let past = try Self.notice.reissued(scope: "CASE-1") { id in
            asked.append(id)
            guard asked.count <= 10 * bound else { throw Unbounded() }
            return true
        }
        #expect(past == nil)
        #expect(asked == Array(chain.prefix(bound + 1)))
        // The id the next re-send would take is one no order finds.
        var beyond = Self.notice
        beyond.id = chain[bound + 1]
        #expect(!beyond.isRouted(forScope: "CASE-1"))
    }

    // MARK: Through the linked-arrest rules

    private func records() throws -> (arrest: String, case: String) {
        (try #require(try PersonRecordIds.subject(of: arrestEvent)), try #require(try PersonRecordIds.subject(of: caseEvent)))
    }

    private var caseEvent: AdmittedEvent { get throws { try Events.admitted(Events.caseStarted(), topic: RouterProjection.casesTopic) } }
    private var arrestEvent: AdmittedEvent {
        get throws { try Events.admitted(Events.arrest(LinkedArrestRulesTests.unknown), topic: RouterProjection.arrestsTopic) }
    }

    /// The `n`th decision of the person index about the arrest's record (links odd, unlinks even
    /// after the first link), a minute apart.
    private func decision(_ n: Int, link: Bool) throws -> AdmittedEvent {
        let (arrest, supervision) = try records()
        let id = String(format: "00000000-0000-8000-8000-%012d", n)
        let at = EventCodec.formatInstant(Date(timeIntervalSince1970: 1_750_000_000 + Double(n) * 60))
        let person = min(arrest, supervision)
        if link {
            return try Events.identity("bus.identity.linked", id: id, at: at, [
                "personId": person, "recordId": arrest, "linkedTo": supervision, "decisionSource": "model",
                "score": 0.987, "agreed": ["familyName", "dateOfBirth"],
            ])
        }
        return try Events.identity("bus.identity.unlinked", id: id, at: at, [
            "personId": person, "recordId": arrest, "newPersonId": arrest, "reason": "human_distinct", "decidedBy": "analyst.reyes",
        ])
    }

    private func notifications(_ messages: [OutgoingMessage]) throws -> [BusNotification] {
        try messages.map { message in
            try NotificationSignature.verify(message.value, headers: message.headers, keys: [key])
            return try BusNotification.decode(message.value)
        }
    }

    /// An arrest linked to the case, unlinked and linked again, over and over: each notice sent
    /// is one a listed-case order for the case finds; once every re-send it follows was
    /// retracted, the next link sends nothing, counted and logged, and the link itself stands
    /// (a later unlink has nothing open to retract).
    @Test func aLinkMadeAgainPastTheBoundSendsNothingAndReportsIt() async throws {
        let router = try await ProjectionHarness.onCurrentDatabase(RouterProjection(signingKey: key))
        _ = try await router.apply(caseEvent)
        _ = try await router.apply(arrestEvent)
        var sent: [BusNotification] = []
        var n = 0
        for _ in 0...RoutedScope.reissuesFollowed {
            n += 1
            let linked = try notifications(try await router.apply(decision(n, link: true)))
            #expect(linked.map(\.reason.rule) == ["supervisee-arrested"], "link \(n)")
            sent += linked
            n += 1
            let retracted = try notifications(try await router.apply(decision(n, link: false)))
            #expect(retracted.map(\.reason.rule) == ["supervisee-arrested-retracted"], "unlink \(n)")
        }
        #expect(sent.count == RoutedScope.reissuesFollowed + 1)
        #expect(Set(sent.map(\.id)).count == sent.count)
        for notice in sent { #expect(notice.isRouted(forScope: "CASE-1"), "\(notice.id) is sent where no listed-case order finds it") }

        n += 1
        let past = try await router.applyWarning(decision(n, link: true))
        #expect(try notifications(past.messages).map(\.reason.rule) == [])
        #expect(past.counted == [RouterContext.reissuesExhaustedMetric])
        #expect(past.warnings.map { $0.metadata["rule"] } == ["supervisee-arrested"])
        #expect(!past.warnings.contains { $0.message.contains("Reyes") || $0.metadata.values.contains { $0.contains("Reyes") || $0.contains("KC-25-1") } })
        n += 1
        #expect(try await router.apply(decision(n, link: false)).isEmpty)
    }
}

@Suite(.enabled(if: PostgresBinaries.isInstalled, Comment(rawValue: PostgresBinaries.notFoundReason)), .postgresCluster)
struct ReissueBoundPostgresTests {
    @Test func aLinkMadeAgainPastTheBoundSendsNothingAndReportsIt() async throws {
        try await ReissueBoundTests().aLinkMadeAgainPastTheBoundSendsNothingAndReportsIt()
    }
}
