import Audit
import Contracts
import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import Logging
import Notifications
import ServiceKit
import Storage
import Synchronization
import Testing

/// Webhooks: registration by an agency's integrator or admin, signed deliveries at least once
/// through 500s and timeouts, retries into the dead letters, and a restart that loses nothing.
/// Rounds of the dispatcher are driven one at a time with a hand-moved clock, so every retry
/// schedule is exact and nothing waits on a timer but the deliveries' own timeout.
@Suite(.timeLimit(.minutes(2))) struct WebhookTests {
    static let agency = "MO-DOC-PP"
    static let integrator = Caller(subject: "SYS-CMS", agencyId: agency, roles: [.officer, .integrator], purpose: .supervision)
    static let settings = PushConfiguration(
        pollInterval: .milliseconds(20), heartbeatInterval: .milliseconds(100),
        // The receivers listen on loopback, which deliveries may reach only when allowed.
        webhooks: WebhookConfiguration(
            requestTimeout: .seconds(1), firstRetry: .seconds(1), maxBackoff: .seconds(10), giveUpAfter: .seconds(60),
            destinations: .allowingLoopback))

    func harness(_ clock: ManualClock) async throws -> GatewayHarness {
        let harness = try await GatewayHarness(now: clock.now, push: Self.settings)
        try await harness.describe([(Self.agency, .communitySupervision)])
        return harness
    }

    /// Registers an endpoint for `registrant` straight in the store (as the CLI does).
    func register(_ harness: GatewayHarness, url: String, registrant: Caller = integrator, secret: String = WebhookSecret.generate()) async throws -> WebhookEndpoint {
        let endpoint = WebhookEndpoint(
            agencyId: registrant.agencyId, url: try #require(URL(string: url)), secret: secret, registrant: registrant, createdAt: Date())
        try await harness.gateway.database.write { try WebhookStore.add(endpoint, cursor: nil, $0) }
        return endpoint
    }

    /// Runs dispatcher rounds, moving the clock past the longest backoff after each, until
    /// `done` or `rounds` rounds.
    func deliver(_ gateway: Gateway, clock: ManualClock, rounds: Int, until done: @escaping @Sendable () -> Bool) async {
        let dispatcher = WebhookDispatcher(gateway: gateway, logger: Logger(label: "webhook-tests"))
        await dispatcher.withClient { client in
            for _ in 0..<rounds {
                // Done once the receiver has everything and nothing is owed any more (an answer
                // that came after the timeout is owed again: at least once).
                if done(), await Self.nothingOwed(gateway) { return }
                _ = await dispatcher.round(client: client)
                clock.advance(by: 11)
            }
        }
    }

    static func nothingOwed(_ gateway: Gateway) async -> Bool {
        do {
            return try await gateway.database.read { transaction in
                try WebhookStore.endpoints(of: nil, transaction).allSatisfy { try WebhookStore.pending(for: $0.endpoint.id, transaction).isEmpty }
            }
        } catch {
            Issue.record(error)
            return false
        }
    }

    @Test("every delivery is signed; through 500s and timeouts each notification arrives at least once, and exactly once by webhook-id; each attempt is audited")
    func atLeastOnceThroughFaults() async throws {
        let clock = ManualClock()
        let harness = try await harness(clock)
        let notifications = (1...5).map { notification(to: .agency(Self.agency), agency: nil, minute: $0, person: "MO100000\($0)") }
        try await harness.store(notifications)
        let secret = WebhookSecret.generate()
        // First attempt 500, second read and never answered (a timeout), third accepted.
        let receiver = WebhookReceiver(secrets: ["/hook/cms": secret]) { _, attempt in
            switch attempt {
            case 1: .status(500)
            case 2: .stall
            default: .status(204)
            }
        }
        let base = await receiver.start()
        let endpoint = try await register(harness, url: "\(base)/hook/cms", secret: secret)
        await deliver(harness.gateway, clock: clock, rounds: 10) { receiver.accepted(path: "/hook/cms").count == notifications.count }
        await receiver.stop()

        let received = receiver.received.value
        #expect(received.filter { !$0.signatureValid }.isEmpty, "every request verifies")
        #expect(Set(received.map(\.id)) == Set(notifications.map(\.id)))
        #expect(received.count >= 3 * notifications.count, "each one's 500, its timeout and its acceptance (more if an answer came too late)")
        #expect(notifications.allSatisfy { notification in received.filter { $0.id == notification.id }.count >= 3 }, "the timed-out ones arrived too: duplicates, same webhook-id")
        let accepted = receiver.accepted(path: "/hook/cms")
        #expect(Set(accepted) == Set(notifications.map(\.id)), "after de-duplication by webhook-id: each exactly once")
        let pending = try await harness.gateway.database.read { try WebhookStore.pending(for: endpoint.id, $0) }
        #expect(pending.isEmpty, "nothing left owed")
        let webhookEntries = try await auditEntries(harness.ledger).filter { $0.channel == .webhook }
        #expect(webhookEntries.count >= received.count, "each attempt recorded before it was sent")
        #expect(webhookEntries.allSatisfy { $0.requester.subject == Self.integrator.subject && $0.resource == BusNotification.eventType })
        #expect(Set(webhookEntries.flatMap { $0.persons.map(\.value) }) == Set(notifications.compactMap(\.subjectStateId)))
        #expect(try await harness.auditEntries() == webhookEntries.count)
    }

    @Test("retries back off and, past giveUpAfter, go to the endpoint's dead letters with the last status or reason")
    func retriesExhaustIntoDeadLetters() async throws {
        let clock = ManualClock()
        let harness = try await harness(clock)
        let arrest = notification(to: .agency(Self.agency), agency: nil, minute: 1)
        try await harness.store([arrest])
        let failing = WebhookSecret.generate()
        let silent = WebhookSecret.generate()
        let receiver = WebhookReceiver(secrets: ["/hook/failing": failing, "/hook/silent": silent]) { _, _ in .status(503) }
        let base = await receiver.start()
        let refusing = try await register(harness, url: "\(base)/hook/failing", secret: failing)
        // Nothing listens on the discard port of loopback: connections are refused.
        let unreachable = try await register(harness, url: "http://127.0.0.1:9/hook", secret: silent)
        let store = harness.gateway.database
        await deliver(harness.gateway, clock: clock, rounds: 12) { false }
        await receiver.stop()

        let refused = try await store.read { try WebhookStore.deadLetters(of: refusing.id, $0) }
        let letter = try #require(refused.first)
        #expect(refused.count == 1)
        #expect(letter.notificationId == arrest.id)
        #expect(letter.lastStatus == 503)
        #expect(letter.lastReason == "answered 503")
        #expect(letter.attempts >= 3, "retried before giving up (backoff 1 s, 2 s, 4 s… within 60 s)")
        #expect(receiver.received.value.count == letter.attempts)
        let unreachableLetters = try await store.read { try WebhookStore.deadLetters(of: unreachable.id, $0) }
        #expect(unreachableLetters.first?.lastStatus == nil)
        #expect(unreachableLetters.count == 1, "refused connections are retried and given up on too")
        #expect(unreachableLetters.first?.lastReason.isEmpty == false)
        #expect(try await store.read { try WebhookStore.pending(for: refusing.id, $0) }.isEmpty)

        // The agency's integrator sees them through the API.
        let token = try await harness.issuer.token(agency: Self.agency, roles: ["integrator"])
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/webhooks/\(refusing.id)/dead-letters", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
            let items = try #require(try json(response.body)["items"] as? [[String: Any]])
            #expect(items.first?["notificationId"] as? String == arrest.id)
            #expect(items.first?["lastStatus"] as? Int == 503)
            let other = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
            let theirs = try await client.execute(uri: "/v1/webhooks/\(refusing.id)/dead-letters", method: .get, headers: .bearer(other, contentType: nil))
            #expect(theirs.status == .notFound)
        }
    }

    @Test("a restart resumes from the database: what was owed is delivered, what the cursor passed is not owed twice, what arrived meanwhile follows")
    func restartResumes() async throws {
        let clock = ManualClock()
        let harness = try await harness(clock)
        let before = (1...3).map { notification(to: .agency(Self.agency), agency: nil, minute: $0) }
        try await harness.store(before)
        let secret = WebhookSecret.generate()
        let failing = AwaitableState(true)
        let receiver = WebhookReceiver(secrets: ["/hook/cms": secret]) { _, _ in failing.value ? .status(500) : .status(200) }
        let base = await receiver.start()
        let endpoint = try await register(harness, url: "\(base)/hook/cms", secret: secret)
        await deliver(harness.gateway, clock: clock, rounds: 1) { false }
        #expect(try await harness.gateway.database.read { try WebhookStore.pending(for: endpoint.id, $0) }.count == 3)

        // A new gateway over the same database file (a restart), the receiver back to health,
        // and a notification that arrived while it was down.
        let later = notification(to: .agency(Self.agency), agency: nil, minute: 4)
        try await harness.store([later])
        failing.update { $0 = false }
        let restarted = try restart(harness, now: clock.now)
        await deliver(restarted, clock: clock, rounds: 5) { receiver.accepted(path: "/hook/cms").count == 4 }
        await receiver.stop()
        #expect(Set(receiver.accepted(path: "/hook/cms")) == Set((before + [later]).map(\.id)), "each accepted")
        #expect(receiver.received.value.filter { $0.attempt == 1 }.map(\.id).sorted() == (before + [later]).map(\.id).sorted())
        #expect(try await restarted.database.read { try WebhookStore.pending(for: endpoint.id, $0) }.isEmpty)
    }

    @Test("a notification that arrives after the endpoint's cursor passed its time (it occurred earlier) is still delivered")
    func aLateArrivalIsDelivered() async throws {
        let clock = ManualClock()
        let harness = try await harness(clock)
        let recent = (5...6).map { notification(to: .agency(Self.agency), agency: nil, minute: $0) }
        try await harness.store(recent)
        let secret = WebhookSecret.generate()
        let receiver = WebhookReceiver(secrets: ["/hook/cms": secret])
        let base = await receiver.start()
        let endpoint = try await register(harness, url: "\(base)/hook/cms", secret: secret)
        // In the order first accepted (an answer slower than the timeout is delivered again).
        let accepted: @Sendable () -> [String] = {
            var seen = Set<String>()
            return receiver.accepted(path: "/hook/cms").filter { seen.insert($0).inserted }
        }
        await deliver(harness.gateway, clock: clock, rounds: 10) { accepted().count == 2 }
        #expect(accepted() == recent.map(\.id))

        // An arrest from an hour before, published late (a records system that was offline).
        let late = notification(to: .agency(Self.agency), agency: nil, minute: -60)
        try await harness.store([late])
        await deliver(harness.gateway, clock: clock, rounds: 10) { accepted().count == 3 }
        await receiver.stop()
        #expect(accepted() == (recent + [late]).map(\.id), "delivered, after the ones that arrived before it")
        #expect(try await harness.gateway.database.read { try WebhookStore.pending(for: endpoint.id, $0) }.isEmpty)
    }

    /// A new gateway over the harness's database file and inbox: what a restart finds.
    /// `requestTimeout` replaces the deliveries' timeout, for a restart whose receiver answers
    /// every request (a loaded machine must not turn a late 204 into a retry the test did not plan).
    func restart(_ harness: GatewayHarness, now: @escaping @Sendable () -> Date, requestTimeout: Duration? = nil) throws -> Gateway {
        let inbox = harness.inbox
        var configuration = harness.gateway.configuration
        if let requestTimeout { configuration.push.webhooks.requestTimeout = requestTimeout }
        return Gateway(
            configuration: configuration, catalog: catalog, authenticator: harness.gateway.authenticator, sink: harness.sink,
            database: try ServiceDatabase(path: harness.directory.appendingPathComponent("gateway.sqlite").path, migrations: Gateway.migrations),
            notifications: StorageNotificationSource { inbox }, disclosure: harness.gateway.disclosure, recorder: harness.gateway.recorder,
            logger: Logger(label: "webhook-tests"), now: now)
    }

    @Test("graceful shutdown stops the running dispatcher after the delivery in flight; what was due stays owed and goes out at the next start")
    func shutdownKeepsDueDeliveries() async throws {
        var settings = Self.settings
        settings.webhooks.firstRetry = .milliseconds(10)
        settings.webhooks.maxBackoff = .milliseconds(10)
        let harness = try await GatewayHarness(push: settings)
        try await harness.describe([(Self.agency, .communitySupervision)])
        let notifications = (1...2).map { notification(to: .agency(Self.agency), agency: nil, minute: $0) }
        try await harness.store(notifications)
        let secret = WebhookSecret.generate()
        // The first request is read and never answered while the gateway shuts down; after the
        // restart every request is answered at once.
        let restarting = Atomic<Bool>(false)
        let receiver = WebhookReceiver(secrets: ["/hook/cms": secret]) { _, attempt in
            attempt == 1 && !restarting.load(ordering: .relaxed) ? .stall : .status(204)
        }
        let base = await receiver.start()
        let endpoint = try await register(harness, url: "\(base)/hook/cms", secret: secret)
        let running = Task { await WebhookDispatcher(gateway: harness.gateway, logger: Logger(label: "webhook-tests")).run() }
        await receiver.received.wait { !$0.isEmpty }
        harness.gateway.shutdown.trigger()
        await running.value
        let owed = try await harness.gateway.database.read { try WebhookStore.pending(for: endpoint.id, $0) }
        #expect(owed.map(\.notificationId) == notifications.map(\.id), "both still owed")
        #expect(owed.map(\.attempts) == [1, 0], "the one in flight timed out; the next was not started")
        #expect(receiver.received.value.count == 1)

        restarting.store(true, ordering: .relaxed)
        let restarted = try restart(harness, now: Date.init, requestTimeout: .seconds(60))
        let again = Task { await WebhookDispatcher(gateway: restarted, logger: Logger(label: "webhook-tests")).run() }
        await receiver.received.wait { received in Set(received.filter { $0.answered == 204 }.map(\.id)).count == 2 }
        restarted.shutdown.trigger()
        await again.value
        await receiver.stop()
        #expect(Set(receiver.accepted(path: "/hook/cms")) == Set(notifications.map(\.id)))
        #expect(try await restarted.database.read { try WebhookStore.pending(for: endpoint.id, $0) }.isEmpty)
    }

    @Test("an agency's integrator or admin registers, lists and removes its own endpoints; the secret is shown once; others get 403 or 404")
    func registration() async throws {
        // cms.example.org resolves to a public address (a fixed answer: no real DNS in tests).
        let resolver = WebhookResolver.fixed(["cms.example.org": [IPAddress("93.184.215.14")!]])
        let harness = try await GatewayHarness(push: PushConfiguration(webhooks: WebhookConfiguration(destinations: .allowingLoopback, resolver: resolver)))
        let integrator = try await harness.issuer.token(agency: Self.agency, roles: ["integrator"])
        let officer = try await harness.issuer.token(agency: Self.agency, roles: ["officer"])
        let otherAgency = try await harness.issuer.token(agency: "MO-KCPD", roles: ["admin"])
        try await harness.test { client in
            let body = ByteBuffer(string: #"{"url":"https://cms.example.org/hooks","eventTypes":["police.arrest.made"],"rules":["supervisee-arrested"]}"#)
            let created = try await client.execute(uri: "/v1/webhooks", method: .post, headers: .bearer(integrator), body: body)
            #expect(created.status == .created)
            let document = try json(created.body)
            let id = try #require(document["id"] as? String)
            let secret = try #require(document["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && WebhookSecret.key(of: secret) != nil)
            #expect(document["eventTypes"] as? [String] == ["police.arrest.made"])

            let forbidden = try await client.execute(uri: "/v1/webhooks", method: .post, headers: .bearer(officer), body: body)
            #expect(forbidden.status == .forbidden)
            for (url, field) in [("http://cms.example.org/hooks", "$.url"), ("ftp://cms.example.org", "$.url"), ("https://user:pw@cms.example.org", "$.url")] {
                let bad = try await client.execute(
                    uri: "/v1/webhooks", method: .post, headers: .bearer(integrator), body: ByteBuffer(string: #"{"url":"\#(url)"}"#))
                #expect(bad.status == .badRequest, "\(url)")
                #expect(String(buffer: bad.body).contains(field))
            }
            let loopback = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: .bearer(integrator), body: ByteBuffer(string: #"{"url":"http://127.0.0.1:8999/hook"}"#))
            #expect(loopback.status == .created, "http to loopback is allowed (tests, dev)")
            let extra = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: .bearer(integrator), body: ByteBuffer(string: #"{"url":"https://a.example","secret":"mine"}"#))
            #expect(extra.status == .badRequest)

            let listed = try await client.execute(uri: "/v1/webhooks", method: .get, headers: .bearer(integrator, contentType: nil))
            #expect(listed.status == .ok)
            #expect(!String(buffer: listed.body).contains(secret), "the secret is never shown again")
            let items = try #require(try json(listed.body)["items"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items.contains { $0["id"] as? String == id })
            let theirList = try await client.execute(uri: "/v1/webhooks", method: .get, headers: .bearer(otherAgency, contentType: nil))
            #expect((try json(theirList.body)["items"] as? [Any])?.isEmpty == true)

            let notTheirs = try await client.execute(uri: "/v1/webhooks/\(id)", method: .delete, headers: .bearer(otherAgency, contentType: nil))
            #expect(notTheirs.status == .notFound)
            let removed = try await client.execute(uri: "/v1/webhooks/\(id)", method: .delete, headers: .bearer(integrator, contentType: nil))
            #expect(removed.status == .noContent)
            let again = try await client.execute(uri: "/v1/webhooks/\(id)", method: .delete, headers: .bearer(integrator, contentType: nil))
            #expect(again.status == .notFound)
        }
    }

    @Test("the signature is the Standard Webhooks one: a known vector")
    func signatureVector() throws {
        // The example of the Standard Webhooks specification's reference libraries.
        let key = try #require(WebhookSecret.key(of: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSecret.signature(
            secret: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}

extension WebhookTests {
    @Test("an endpoint printed or interpolated never shows its secret")
    func secretNotPrinted() throws {
        let endpoint = WebhookEndpoint(agencyId: Self.agency, url: try #require(URL(string: "https://cms.example.org/hook")), registrant: Self.integrator)
        let secretPart = String(endpoint.secret.dropFirst(WebhookSecret.prefix.count))
        #expect(!"\(endpoint)".contains(secretPart))
        #expect(!String(reflecting: endpoint).contains(secretPart))
    }
}
