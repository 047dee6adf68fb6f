import AsyncHTTPClient
import Audit
import Contracts
import Demo
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Kafka
import Notifications
import Pipeline
import ServiceKit
import Storage
import TestSupport
import Testing

/// The gateway on the embedded broker with the router and the inbox: events sent over HTTP
/// are on their topic exactly once however often they are retried, are routed, reach the
/// caller's inbox over HTTP, and an acknowledgement over HTTP reaches the inbox.
@Suite struct GatewayEndToEndTests {
    struct Claims: JWTPayload {
        var sub: String
        var iss = "https://idp.test"
        var aud = "reentrybus-gateway"
        var exp = Date().timeIntervalSince1970 + 600
        var agency: String
        var roles: [String]
        var purpose: String
        var agencyKind: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    @Test("ingest → topic exactly once → router → inbox over HTTP → acknowledgement → inbox")
    func ingestRouteReadAcknowledge() async throws {
        let bus = try await TestBus()
        let key = ES256PrivateKey()
        let parameters = try #require(key.publicKey.parameters)
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"e2e","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: "e2e"))
        func token(_ subject: String, _ agency: String, _ roles: [String], kind: String? = nil) async throws -> String {
            try await keys.sign(
                Claims(sub: subject, agency: agency, roles: roles, purpose: "supervision", agencyKind: kind), kid: JWKIdentifier(string: "e2e"))
        }
        var configuration = bus.configuration
        configuration.services = [.router, .inbox, .views, .gateway]
        configuration.gateway = GatewayConfiguration(
            port: 0, authentication: AuthenticationConfiguration(jwks: jwks, issuer: "https://idp.test", audience: "reentrybus-gateway"))
        let application = try buildApplication(configuration, logger: testLogger)
        let port = AwaitableState<Int?>(nil)
        application.gateway?.listener.whenListening { _, bound in port.update { $0 = bound } }
        let running = Task { try await application.run() }
        await port.wait { $0 != nil }
        let client = TestClient(host: "127.0.0.1", port: port.value!, configuration: .init(timeout: .seconds(20)))
        client.connect()

        let reader = try KafkaTopicReader(configuration: bus.kafka.topicReaderConfiguration(topics: ["police.arrests"]), logger: testLogger)
        let collector = MessageCollector()
        collector.start(reader)

        let scenario = try DemoScenario(now: Date(), run: unique("gateway"))
        let caseStarted = try #require(scenario.steps.first { $0.name == "A1 case started" }).event
        let arrest = try #require(scenario.steps.first { $0.name == "A2 arrest" }).event
        let probation = try await token("doc-cms", "MO-DOC-PP", ["integrator"], kind: "community_supervision")
        let police = try await token("kcpd-rms", "MO-KCPD", ["integrator"], kind: "police")
        func post(_ event: ScenarioEvent, _ token: String) async throws -> TestClient.Response {
            try await client.execute(TestClient.Request(
                "/v1/events", method: .post, authority: "localhost",
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(bytes: event.value)))
        }
        #expect(try await post(caseStarted, probation).status == .accepted)
        let first = try await post(arrest, police)
        #expect(first.status == .accepted)
        let retry = try await post(arrest, police)
        #expect(retry.status == .accepted)
        #expect(retry.body == first.body)
        // A later arrest of the same person (same key, same partition): once it is on the
        // topic, anything the retry had sent would be before it.
        var later = try JSONSerialization.jsonObject(with: Data(arrest.value)) as! [String: Any]
        let laterId = UUID().uuidString.lowercased()
        later["eventId"] = laterId
        var payload = later["payload"] as! [String: Any]
        payload["arrestId"] = "KCPD-A-25-999999"
        later["payload"] = payload
        let laterEvent = ScenarioEvent(
            topic: arrest.topic, key: arrest.key, eventId: laterId, eventType: arrest.eventType,
            value: Array(try JSONSerialization.data(withJSONObject: later)))
        #expect(try await post(laterEvent, police).status == .accepted)
        @Sendable func eventId(_ message: KafkaConsumerMessage) -> String? { message.headers.first { $0.key == "event-id" }?.stringValue }
        await collector.received.wait { $0.contains { eventId($0.message) == laterId } }
        #expect(collector.messages.filter { eventId($0) == arrest.eventId }.count == 1, "the arrest is on its topic exactly once")
        _ = await reader.close()

        // Routed to the supervising officer, read over HTTP by that officer of MO-DOC-PP.
        let inbox = try #require(application.services[.inbox])
        // Three notifications: the case's notice to the police of its address
        // (`resident-supervision-started`), then one to the officer for each arrest; the
        // officer's for the later arrest comes after the first's on the officer's partition.
        await inbox.progress.wait { $0.consumed(BusTopic.notifications) >= 3 }
        let officer = try await token("PP-KC-118", "MO-DOC-PP", ["officer"])
        let page = try await client.execute(TestClient.Request(
            "/v1/inbox", method: .get, authority: "localhost", headers: [.authorization: "Bearer \(officer)"]))
        #expect(page.status == .ok)
        let items = (try JSONSerialization.jsonObject(with: Data(page.body?.readableBytesView ?? [])) as? [String: Any])?["items"] as? [[String: Any]] ?? []
        let notification = try #require(items.compactMap { $0["notification"] as? [String: Any] }.first { [arrest.eventId, laterId].contains($0["sourceEventId"] as? String) })
        #expect(notification["recipient"] as? String == "officer:PP-KC-118")
        #expect(notification["summary"] == nil, "the directory does not know MO-DOC-PP here: public fields only")
        // The same officer, their agency's kind in the token: the policy lets CJI and PII through.
        let placed = try await token("PP-KC-118", "MO-DOC-PP", ["officer"], kind: "community_supervision")
        let full = try await client.execute(TestClient.Request(
            "/v1/inbox", method: .get, authority: "localhost", headers: [.authorization: "Bearer \(placed)"]))
        let fullItems = (try JSONSerialization.jsonObject(with: Data(full.body?.readableBytesView ?? [])) as? [String: Any])?["items"] as? [[String: Any]] ?? []
        let shown = try #require(fullItems.compactMap { $0["notification"] as? [String: Any] }.first { [arrest.eventId, laterId].contains($0["sourceEventId"] as? String) })
        #expect(shown["summary"] is String)
        // Police of another agency do not see it.
        let analyst = try await token("KCPD-A-204", "MO-KCPD", ["analyst", "officer"])
        let theirs = try await client.execute(TestClient.Request(
            "/v1/inbox", method: .get, authority: "localhost", headers: [.authorization: "Bearer \(analyst)"]))
        #expect(!String(buffer: theirs.body ?? ByteBuffer()).contains(notification["id"] as! String))

        // The read-model views, from the in-process views service's database: the supervisor's
        // agency's caseload holds the case; another agency's is refused.
        let views = try #require(application.services[.views])
        await views.progress.wait { $0.consumed("supervision.cases") >= 1 }
        let supervisor = try await token("PP-KC-001", "MO-DOC-PP", ["supervisor"], kind: "community_supervision")
        let caseload = try await client.execute(TestClient.Request(
            "/v1/views/caseload", method: .get, authority: "localhost", headers: [.authorization: "Bearer \(supervisor)"]))
        #expect(caseload.status == .ok)
        let rows = ((try JSONSerialization.jsonObject(with: Data(caseload.body?.readableBytesView ?? [])) as? [String: Any])?["items"] as? [[String: Any]] ?? [])
            .compactMap { $0["row"] as? [String: Any] }
        #expect(!rows.isEmpty && rows.allSatisfy { $0["supervisingAgencyId"] as? String == "MO-DOC-PP" && $0["caseId"] is String })
        let foreign = try await client.execute(TestClient.Request(
            "/v1/views/caseload?agency=MO-DOC-PP", method: .get, authority: "localhost", headers: [.authorization: "Bearer \(analyst)"]))
        #expect(foreign.status == .forbidden)

        let id = try #require(notification["id"] as? String)
        let acked = try await client.execute(TestClient.Request(
            "/v1/notifications/\(id)/ack", method: .post, authority: "localhost", headers: [.authorization: "Bearer \(officer)"]))
        #expect(acked.status == .accepted)
        await inbox.progress.wait { $0.consumed(BusTopic.notificationAcks) >= 1 }
        let acknowledgements = try await inbox.database.read { try EscalationStore.acknowledgements(of: id, $0) }
        #expect(acknowledgements.map(\.by) == ["officer:PP-KC-118"])
        #expect(acknowledgements.map(\.actor) == ["PP-KC-118"], "who acted, through version 2 of the acknowledgement")
        #expect(acknowledgements.map(\.status) == ["accepted"])

        // A live stream open at shutdown: graceful shutdown ends it, and the gateway does not
        // wait on it.
        let streamClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let pushed = AwaitableState(false)
        let streamURL = "http://127.0.0.1:\(port.value!)/v1/stream"
        let streaming = Task {
            var request = HTTPClientRequest(url: streamURL)
            request.headers.add(name: "authorization", value: "Bearer \(placed)")
            let response = try await streamClient.execute(request, deadline: .distantFuture)
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.contains("event: notification\n") { pushed.update { $0 = true } }
            }
            return text
        }
        await pushed.wait { $0 }

        try await client.shutdown()
        await application.triggerGracefulShutdown()
        // The stream's client is shut down whatever happened: released running, it would trap.
        let ended = await (running.result, streaming.result)
        try await streamClient.shutdown()
        try ended.0.get()
        let streamed = try ended.1.get()
        #expect(streamed.contains("id: ") && streamed.contains(#""sourceEventId":"\#(arrest.eventId)""#))

        // What `reentrybus audit verify` and `audit search --person` read: the gateway's
        // disclosures, chained, and sent to bus.audit by the time it stopped.
        let ledger = try await AuditLedger.open(storage: SQLiteStorage(path: configuration.dataDirectory.appendingPathComponent("audit.sqlite").path))
        let verification = try await ledger.verify()
        #expect(verification.isIntact)
        #expect(verification.verifiedEntries >= 4, "one entry per inbox or view response that carried data, and the refusal")
        let recorded = try await ledger.entries()
        #expect(recorded.contains { $0.resource == "view.caseload" && $0.outcome == .disclosed && $0.requester.subject == "PP-KC-001" })
        #expect(recorded.contains { $0.resource == "view.caseload" && $0.isDenial && $0.requester.agencyId == "MO-KCPD" })
        let person = try #require(shown["subjectStateId"] as? String)
        let about = try await ledger.search(person: person)
        #expect(about.contains { $0.requester.subject == "PP-KC-118" && $0.channel == .api })
        #expect(about.contains { $0.requester.subject == "PP-KC-118" && $0.channel == .stream }, "each push audited")
        // The commands an auditor runs find the same.
        let directory = ["--data-dir", configuration.dataDirectory.path]
        let (searched, search) = try await runReentrybus(["audit", "search", "--person", person, "--json"] + directory)
        #expect(searched == .init(status: 0, bySignal: false), "\(search.errors.value)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(search.output.value.utf8)) as? [[String: Any]])
        #expect(found.contains { $0["resource"] as? String == "bus.notification.routed" && $0["channel"] as? String == "api" })
        let (verified, verify) = try await runReentrybus(["audit", "verify"] + directory)
        #expect(verified == .init(status: 0, bySignal: false), "\(verify.errors.value)")
        #expect(try await ledger.pendingPublicationCount() == 0, "every entry acknowledged on bus.audit")

        // Webhook endpoints registered and listed from the command line, on the gateway's database.
        let (added, add) = try await runReentrybus([
            "webhooks", "add", "--url", "https://cms.example.org/hook", "--agency", "MO-DOC-PP", "--subject", "doc-cms",
            "--role", "integrator", "--role", "officer", "--purpose", "supervision", "--event-type", "police.arrest.made",
        ] + directory)
        #expect(added == .init(status: 0, bySignal: false), "\(add.errors.value)")
        let secret = try #require(add.output.value.split(separator: "\n").first { $0.hasPrefix("secret: whsec_") })
        let (listed, list) = try await runReentrybus(["webhooks", "list"] + directory)
        #expect(listed == .init(status: 0, bySignal: false), "\(list.errors.value)")
        #expect(list.output.value.contains("https://cms.example.org/hook") && list.output.value.contains("doc-cms"))
        #expect(!list.output.value.contains(String(secret.dropFirst("secret: ".count))), "the secret is shown once")
    }
}
