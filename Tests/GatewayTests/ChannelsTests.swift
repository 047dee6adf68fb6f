import Audit
import Contracts
import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import Logging
import Notifications
import Synchronization
import Testing

/// One policy for every output path: the same notification read through the inbox, delivered
/// by a webhook and pushed on the stream is the same redacted document with the same withheld
/// list, for each of two requesters of different roles; each channel audited as itself.
@Suite(.timeLimit(.minutes(2))) struct ChannelsTests {
    static let agency = "MO-DOC-PP"

    @Test("inbox, webhook and stream disclose the same document to an officer, and the same (other) one to a reentry-services user")
    func sameDocumentThroughEveryChannel() async throws {
        // The receiver listens on loopback, which webhooks may reach only when allowed.
        let harness = try await GatewayHarness(
            push: PushConfiguration(pollInterval: .milliseconds(20), webhooks: WebhookConfiguration(destinations: .allowingLoopback)))
        try await harness.describe([(Self.agency, .communitySupervision)])
        let arrest = notification(to: .agency(Self.agency), agency: nil, minute: 1)
        try await harness.store([arrest])
        let officer = Caller(subject: "PP-KC-118", agencyId: Self.agency, roles: [.officer], purpose: .supervision)
        let reentry = Caller(subject: "RS-9", agencyId: Self.agency, roles: [.reentryServices], purpose: .serviceReferral)
        var officerClaims = TestIssuer.Claims()
        officerClaims.sub = officer.subject
        var reentryClaims = TestIssuer.Claims()
        reentryClaims.sub = reentry.subject
        reentryClaims.roles = ["reentry-services"]
        reentryClaims.purpose = "service-referral"
        let tokens = [officer.subject: try await harness.issuer.token(officerClaims), reentry.subject: try await harness.issuer.token(reentryClaims)]

        // Webhooks: one endpoint registered by each.
        let secrets = [officer.subject: WebhookSecret.generate(), reentry.subject: WebhookSecret.generate()]
        let receiver = WebhookReceiver(secrets: ["/hook/\(officer.subject)": secrets[officer.subject]!, "/hook/\(reentry.subject)": secrets[reentry.subject]!])
        let base = await receiver.start()
        for caller in [officer, reentry] {
            let endpoint = WebhookEndpoint(
                agencyId: Self.agency, url: try #require(URL(string: "\(base)/hook/\(caller.subject)")), secret: secrets[caller.subject]!, registrant: caller)
            try await harness.gateway.database.write { try WebhookStore.add(endpoint, cursor: nil, $0) }
        }
        let dispatcher = WebhookDispatcher(gateway: harness.gateway, logger: Logger(label: "channels-tests"))
        _ = await dispatcher.withClient { await dispatcher.round(client: $0) }
        await receiver.stop()

        // Each channel's document per requester, as canonical JSON (sorted keys).
        let documents = Mutex<[String: [String: String]]>([:])
        try await harness.test { client in
            for caller in [officer, reentry] {
                let token = try #require(tokens[caller.subject])
                let inbox = try await client.execute(uri: "/v1/inbox", method: .get, headers: .bearer(token, contentType: nil))
                let item = try #require((try json(inbox.body)["items"] as? [[String: Any]])?.first)
                let inboxItem = try canonical(item)
                let delivered = try #require(receiver.received.value.first { $0.path == "/hook/\(caller.subject)" })
                #expect(delivered.signatureValid && delivered.id == arrest.id)
                let webhookItem = try canonical(try jsonObject(String(decoding: delivered.body, as: UTF8.self)))
                documents.withLock { $0[caller.subject] = ["api": inboxItem, "webhook": webhookItem] }
            }
        }
        // The stream last: after shutdown it writes what it has in hand and ends, so the
        // router's test client can read it whole.
        harness.gateway.shutdown.trigger()
        try await harness.test { client in
            for caller in [officer, reentry] {
                let response = try await client.execute(uri: "/v1/stream", method: .get, headers: .bearer(try #require(tokens[caller.subject]), contentType: nil))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let data = try #require(String(buffer: response.body).split(separator: "\n").first { $0.hasPrefix("data: ") })
                let streamItem = try canonical(try jsonObject(String(data.dropFirst(6))))
                documents.withLock { $0[caller.subject]?["stream"] = streamItem }
            }
        }
        let all = documents.withLock { $0 }
        for caller in [officer, reentry] {
            let byChannel = try #require(all[caller.subject])
            #expect(byChannel.count == 3)
            #expect(byChannel["api"] == byChannel["webhook"], "\(caller.subject): inbox and webhook")
            #expect(byChannel["api"] == byChannel["stream"], "\(caller.subject): inbox and stream")
        }
        let officerItem = try jsonObject(try #require(all[officer.subject]?["api"]))
        let reentryItem = try jsonObject(try #require(all[reentry.subject]?["api"]))
        #expect((officerItem["notification"] as? NSDictionary)?["summary"] as? String == arrest.summary)
        #expect((officerItem["withheld"] as? [Any])?.isEmpty == true)
        #expect((reentryItem["notification"] as? NSDictionary)?.count == 0, "the policy grants reentry-services nothing here")
        #expect((reentryItem["withheld"] as? [Any])?.count == (officerItem["notification"] as? NSDictionary)?.count)

        // Each channel audited as itself, once per requester.
        let entries = try await auditEntries(harness.ledger)
        for caller in [officer, reentry] {
            let theirs = entries.filter { $0.requester.subject == caller.subject }
            #expect(theirs.map(\.channel).sorted { $0.rawValue < $1.rawValue } == [.api, .stream, .webhook], "\(caller.subject)")
        }
        #expect(entries.filter { $0.requester.subject == officer.subject }.allSatisfy { $0.persons.map(\.value) == ["MO1234567"] && $0.withheld.isEmpty })
        #expect(entries.filter { $0.requester.subject == reentry.subject }.allSatisfy { !$0.withheld.isEmpty })
    }
}
