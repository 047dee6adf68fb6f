import Contracts
import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import Notifications
import Storage
import Synchronization
import Testing

/// The SSRF guard: webhooks reach public addresses only, unless the operator allows internal
/// receivers by range or name; checked at registration and again at every delivery, against
/// the addresses the name resolves to then, and connected to the address checked.
@Suite(.timeLimit(.minutes(2))) struct WebhookDestinationTests {
    // MARK: - Registration

    static let internalURLs = ["https://169.254.169.254/latest/meta-data/", "https://10.0.0.5/", "https://[::1]/", "https://metadata.example/hook"]
    static let resolver = WebhookResolver.fixed(["metadata.example": [IPAddress("169.254.169.254")!, IPAddress("fd00::1")!]])

    @Test("registration refuses internal addresses and names that reach only them (400 naming url); the operator's allow list admits them")
    func registrationChecksDestination() async throws {
        let strict = try await GatewayHarness(push: PushConfiguration(webhooks: WebhookConfiguration(resolver: Self.resolver)))
        let allowing = try await GatewayHarness(push: PushConfiguration(webhooks: WebhookConfiguration(
            destinations: try WebhookDestinationPolicy(allowing: ["169.254.169.254/32", "10.0.0.0/8", "::1/128", "metadata.example"]),
            resolver: Self.resolver)))
        for (harness, expected) in [(strict, HTTPResponse.Status.badRequest), (allowing, .created)] {
            let integrator = try await harness.issuer.token(agency: "MO-DOC-PP", roles: ["integrator"])
            try await harness.test { client in
                for url in Self.internalURLs {
                    let answer = try await client.execute(
                        uri: "/v1/webhooks", method: .post, headers: .bearer(integrator), body: ByteBuffer(string: #"{"url":"\#(url)"}"#))
                    #expect(answer.status == expected, "\(url)")
                    if expected == .badRequest {
                        let text = String(buffer: answer.body)
                        #expect(text.contains("$.url") && text.contains("gateway.webhooks.allow"), "\(url): \(text)")
                    }
                }
                let unresolvable = try await client.execute(
                    uri: "/v1/webhooks", method: .post, headers: .bearer(integrator), body: ByteBuffer(string: #"{"url":"https://nowhere.example/"}"#))
                #expect(unresolvable.status == .badRequest)
                #expect(String(buffer: unresolvable.body).contains("did not resolve"))
            }
        }
    }

    // MARK: - Delivery

    static let agency = "MO-DOC-PP"
    static let integrator = Caller(subject: "SYS-CMS", agencyId: agency, roles: [.officer, .integrator], purpose: .supervision)

    func harness(_ clock: ManualClock, resolver: WebhookResolver) async throws -> GatewayHarness {
        let push = PushConfiguration(
            pollInterval: .milliseconds(20),
            // No test here is about a slow receiver: a generous request timeout keeps a loaded
            // machine (the loopback receiver answering late) from turning a 302 or a delivery
            // into a timeout. The retry times run on the manual clock.
            webhooks: WebhookConfiguration(
                requestTimeout: .seconds(30), firstRetry: .seconds(1), maxBackoff: .seconds(10), giveUpAfter: .seconds(30),
                destinations: .allowingLoopback, resolver: resolver))
        let harness = try await GatewayHarness(now: clock.now, push: push)
        try await harness.describe([(Self.agency, .communitySupervision)])
        return harness
    }

    func register(_ harness: GatewayHarness, url: String, secret: String) async throws -> WebhookEndpoint {
        let endpoint = WebhookEndpoint(
            agencyId: Self.agency, url: try #require(URL(string: url)), secret: secret, registrant: Self.integrator, createdAt: Date())
        try await harness.gateway.database.write { try WebhookStore.add(endpoint, cursor: nil, $0) }
        return endpoint
    }

    /// `rounds` dispatcher rounds, the clock moved past the longest backoff after each.
    func deliver(_ gateway: Gateway, clock: ManualClock, rounds: Int) async {
        let dispatcher = WebhookDispatcher(gateway: gateway, logger: Logger(label: "webhook-destination-tests"))
        await dispatcher.withClient { client in
            for _ in 0..<rounds {
                _ = await dispatcher.round(client: client)
                clock.advance(by: 11)
            }
        }
    }

    @Test("a name that resolves to a refused address after registration is not delivered to: the reason is recorded and it ends in the dead letters")
    func rebindingAfterRegistration() async throws {
        let clock = ManualClock()
        // The name first resolves to the receiver's loopback address (allowed in tests), later to
        // the cloud metadata address.
        let answer = Mutex<[IPAddress]>([IPAddress("127.0.0.1")!])
        let lookups = Mutex(0)
        let resolver = WebhookResolver { host in
            #expect(host == "hooks.agency.example")
            lookups.withLock { $0 += 1 }
            return answer.withLock { $0 }
        }
        let harness = try await harness(clock, resolver: resolver)
        let first = notification(to: .agency(Self.agency), agency: nil, minute: 1, person: "MO1000001")
        try await harness.store([first])
        let secret = WebhookSecret.generate()
        let receiver = WebhookReceiver(secrets: ["/hook/cms": secret])
        let base = await receiver.start()
        let port = try #require(URL(string: base)?.port)
        // The name is not in any DNS: only the pinned address can have reached the receiver.
        let endpoint = try await register(harness, url: "http://hooks.agency.example:\(port)/hook/cms", secret: secret)
        await deliver(harness.gateway, clock: clock, rounds: 1)
        #expect(receiver.accepted(path: "/hook/cms") == [first.id], "delivered to the checked address the name resolved to")

        answer.withLock { $0 = [IPAddress("169.254.169.254")!, IPAddress("::ffff:10.0.0.5")!] }
        let second = notification(to: .agency(Self.agency), agency: nil, minute: 2, person: "MO1000002")
        try await harness.store([second])
        let before = lookups.withLock { $0 }
        await deliver(harness.gateway, clock: clock, rounds: 5)
        await receiver.stop()

        #expect(lookups.withLock { $0 } >= before + 3, "every attempt looks the name up again")
        #expect(receiver.received.value.map(\.id) == [first.id], "nothing more was sent")
        let letters = try await harness.gateway.database.read { try WebhookStore.deadLetters(of: endpoint.id, $0) }
        let letter = try #require(letters.first)
        #expect(letters.count == 1 && letter.notificationId == second.id)
        #expect(letter.lastStatus == nil)
        #expect(letter.lastReason.contains("not sent") && letter.lastReason.contains("link-local (cloud metadata)"), "\(letter.lastReason)")
        #expect(!letter.lastReason.contains("169.254.169.254"), "what the name resolved to is not the registrant's to learn")
        let audited = try await auditEntries(harness.ledger).filter { $0.channel == .webhook }
        #expect(audited.count == 1, "a refused attempt discloses nothing, so nothing is recorded as disclosed")
    }

    @Test("a redirect is not followed: the delivery fails with the 3xx and the target gets nothing")
    func redirectsNotFollowed() async throws {
        let clock = ManualClock()
        let harness = try await harness(clock, resolver: .fixed([:]))
        let arrest = notification(to: .agency(Self.agency), agency: nil, minute: 1)
        try await harness.store([arrest])
        let secret = WebhookSecret.generate()
        let target = Mutex("")
        let receiver = WebhookReceiver(secrets: ["/hook/cms": secret, "/hook/internal": secret]) { _, _ in .redirect(to: target.withLock { $0 }) }
        let base = await receiver.start()
        target.withLock { $0 = "\(base)/hook/internal" }
        let endpoint = try await register(harness, url: "\(base)/hook/cms", secret: secret)
        await deliver(harness.gateway, clock: clock, rounds: 1)
        await receiver.stop()

        #expect(receiver.received.value.map(\.path) == ["/hook/cms"], "the redirect's target got nothing")
        let owed = try await harness.gateway.database.read { try WebhookStore.pending(for: endpoint.id, $0) }
        #expect(owed.count == 1, "still owed: a redirect is a failure")
        #expect(owed.first?.attempts == 1)
        #expect(owed.first?.lastStatus == 302)
    }
}
