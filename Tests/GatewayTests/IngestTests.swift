import Contracts
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Kafka
import Synchronization
import Testing

/// `POST /v1/events` and `/v1/events/batch`: contracts, idempotency, the caller's agency, limits.
@Suite struct IngestTests {
    static func ndjson(_ lines: [[UInt8]]) -> ByteBuffer {
        ByteBuffer(bytes: lines.map { $0 + [UInt8(ascii: "\n")] }.joined())
    }

    @Test("a valid event is sent once, with its key and headers, and answered 202; a retry gets the first outcome and sends nothing")
    func validEventIsSentOnceAndRetriesGetTheFirstOutcome() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let id = UUID()
        let event = try arrestEvent(id: id)
        try await harness.test { client in
            let first = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(first.status == .accepted)
            let body = try json(first.body)
            #expect(body["eventId"] as? String == id.uuidString.lowercased())
            #expect(body["topic"] as? String == "police.arrests")
            let retry = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(retry.status == .accepted)
            #expect(String(buffer: retry.body) == String(buffer: first.body), "a retry answers the first outcome")
        }
        let sent = harness.sink.sent
        #expect(sent.count == 1)
        #expect(sent.first?.topic == "police.arrests")
        #expect(sent.first.map { String(decoding: $0.key ?? [], as: UTF8.self) } == "MO1234567")
        #expect(sent.first?.value == event)
        let headers = Dictionary(uniqueKeysWithValues: (sent.first?.headers ?? []).map { ($0.key, $0.stringValue ?? "") })
        #expect(headers["event-id"] == id.uuidString.lowercased())
        #expect(headers["event-type"] == "police.arrest.made")
    }

    @Test("while an event is being delivered, a second request with its id is 409 with Retry-After; once stored, the retry gets its outcome")
    func concurrentSameIdIsRefusedUntilStored() async throws {
        let harness = try await GatewayHarness(holdingDeliveries: true)
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let event = try arrestEvent()
        try await harness.test { client in
            async let first = client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            await harness.gated.begun.wait { $0 >= 1 }
            let second = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(second.status == .conflict)
            #expect(second.headers[.retryAfter] == "1")
            harness.gated.open.update { $0 = true }
            let answered = try await first
            #expect(answered.status == .accepted)
            let retry = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(String(buffer: retry.body) == String(buffer: answered.body))
        }
        #expect(harness.gated.messages.withLock { $0.count } == 1)
        #expect(harness.gated.begun.value == 1)
    }

    @Test("the same event id with other content is 409 and nothing more is sent")
    func reusedIdIsAConflict() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let id = UUID()
        try await harness.test { client in
            let first = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: try arrestEvent(id: id)))
            #expect(first.status == .accepted)
            let other = try arrestEvent(id: id) { $0["recordedAt"] = "2025-03-03T14:00:06Z" }
            let second = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: other))
            #expect(second.status == .conflict)
            #expect(second.headers[.contentType] == "application/problem+json")
        }
        #expect(harness.sink.sent.count == 1)
    }

    @Test("an event breaking its contract is 400 naming each violation's JSON path and keyword; nothing is sent")
    func invalidEventNamesPathAndKeyword() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let event = try arrestEvent { event in
            var payload = event["payload"] as! [String: Any]
            payload.removeValue(forKey: "arrestedAt")
            event["payload"] = payload
            event["occurredAt"] = "yesterday"
        }
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try json(response.body)
            #expect(problem["status"] as? Int == 400)
            let violations = try #require(problem["violations"] as? [[String: Any]])
            let pairs = Set(violations.map { "\($0["path"] as? String ?? "") \($0["keyword"] as? String ?? "")" })
            #expect(pairs.contains("$.payload required"), "\(pairs)")
            #expect(pairs.contains("$.occurredAt format"), "\(pairs)")
            #expect(!String(buffer: response.body).contains("Reyes"), "no value of the event is echoed")
        }
        #expect(harness.sink.sent.isEmpty)
    }

    /// "UNKNOWN" as the key field would put strangers' events under one key (one person's
    /// bulletin replacing another's on the compacted topic): refused where events enter the bus.
    @Test("a person's key that says there is no number (state ID UNKNOWN) is 400 naming the field; nothing is sent")
    func placeholderKeyIsRefused() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let event = try arrestEvent { event in
            var subject = event["subject"] as! [String: Any]
            subject["stateId"] = "UNKNOWN"
            event["subject"] = subject
        }
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(response.status == .badRequest)
            let violations = try #require(try json(response.body)["violations"] as? [[String: Any]])
            #expect(violations.map { "\($0["path"] as? String ?? "") \($0["keyword"] as? String ?? "")" } == ["$.subject.stateId placeholder"])
        }
        #expect(harness.sink.sent.isEmpty)
    }

    @Test("another agency's event, or a caller without the integrator role, is 403; nothing is sent")
    func onlyTheSourceAgencysIntegratorMayIngest() async throws {
        let harness = try await GatewayHarness()
        let otherAgency = try await harness.issuer.token(agency: "MO-SPD", roles: ["integrator"], agencyKind: "police")
        let officer = try await harness.issuer.token(agency: "MO-KCPD", roles: ["officer"])
        try await harness.test { client in
            for token in [otherAgency, officer] {
                let response = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: try arrestEvent()))
                #expect(response.status == .forbidden)
            }
        }
        #expect(harness.sink.sent.isEmpty)
    }

    @Test("an event written as another kind of agency than the caller's is 403 (a police system as a court sealing records, or as a jail); nothing is sent")
    func anEventMustCarryTheCallersAgencyKind() async throws {
        let harness = try await GatewayHarness()
        let police = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let sheriff = try await harness.issuer.token(agency: "MO-JCSO", roles: ["integrator"], agencyKind: "sheriff")
        try await harness.test { client in
            // Each is a producer of its topic: only the caller's own kind tells them apart.
            for (example, kind) in [("records.record.sealed.v1", "court"), ("police.arrest.made.v1", "jail"), ("custody.release.scheduled.v1", "jail")] {
                let response = try await client.execute(
                    uri: "/v1/events", method: .post, headers: .bearer(police),
                    body: ByteBuffer(bytes: try exampleEvent(example, agency: "MO-KCPD", kind: kind)))
                #expect(response.status == .forbidden, "\(example) as \(kind)")
                #expect(String(buffer: response.body).contains("$.source.agencyKind is not your agency's kind (police)"))
            }
            // A sheriff's office writes as the jail it runs.
            let jail = try await client.execute(
                uri: "/v1/events", method: .post, headers: .bearer(sheriff),
                body: ByteBuffer(bytes: try exampleEvent("custody.release.scheduled.v1", agency: "MO-JCSO", kind: "jail")))
            #expect(jail.status == .accepted)
        }
        #expect(harness.sink.sent.map(\.topic) == ["custody.releases"], "only the sheriff's release")
    }

    @Test("an agency speaks only for itself on courts.warrants: a warrant issued, a hold asked for or a service naming another agency is 403")
    func anAgencyReportsOnlyItsOwnService() async throws {
        let harness = try await GatewayHarness()
        let police = try await harness.issuer.token(agency: "MO-IPD", roles: ["integrator"], agencyKind: "police")
        let court = try await harness.issuer.token(agency: "MO-CIRCUIT7", roles: ["integrator"], agencyKind: "court")
        try await harness.test { client in
            try await expectOnlyOwn(client, "courts.warrant.issued.v1", field: "issuingAgencyId", token: court, agency: "MO-CIRCUIT7", kind: "court")
            try await expectOnlyOwn(client, "courts.detainer.lodged.v1", field: "requestingAgencyId", token: police, agency: "MO-IPD", kind: "police")
            // The example's service is MO-KCPD's.
            try await expectOnlyOwn(client, "courts.warrant.served.v1", field: "servingAgencyId", token: police, agency: "MO-IPD", kind: "police")
        }
        #expect(harness.sink.sent.count == 3, "each agency's own")
    }

    @Test("a court sends sealing orders only as the issuing court: another court's order is 403")
    func aCourtSealsOnlyByItsOwnOrders() async throws {
        let harness = try await GatewayHarness()
        let court = try await harness.issuer.token(agency: "MO-CIRCUIT7", roles: ["integrator"], agencyKind: "court")
        try await harness.test { client in
            // The example's order is MO-CIRCUIT16's.
            try await expectOnlyOwn(
                client, "records.record.sealed.v1", field: "issuingCourtId", refusal: "is not your court", token: court, agency: "MO-CIRCUIT7", kind: "court")
        }
        #expect(harness.sink.sent.count == 1)
    }

    @Test("without an agencyKind claim the caller's kind is the agency directory's; an agency of no known kind may send nothing")
    func theCallersKindComesFromTheDirectoryWhenTheTokenStatesNone() async throws {
        let harness = try await GatewayHarness()
        try await harness.describe([("MO-KCPD", .police)])
        let described = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"])
        let unknown = try await harness.issuer.token(agency: "MO-XPD", roles: ["integrator"])
        try await harness.test { client in
            let arrest = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(described), body: ByteBuffer(bytes: try arrestEvent()))
            #expect(arrest.status == .accepted)
            let asCourt = try await client.execute(
                uri: "/v1/events", method: .post, headers: .bearer(described),
                body: ByteBuffer(bytes: try exampleEvent("records.record.sealed.v1", agency: "MO-KCPD", kind: "court")))
            #expect(asCourt.status == .forbidden)
            let unknownKind = try await client.execute(
                uri: "/v1/events", method: .post, headers: .bearer(unknown), body: ByteBuffer(bytes: try arrestEvent(agency: "MO-XPD")))
            #expect(unknownKind.status == .forbidden)
            #expect(String(buffer: unknownKind.body).contains("Your agency's kind is unknown"))
        }
        #expect(harness.sink.sent.count == 1, "only the described agency's arrest")
    }

    @Test("another content type is 415, a body over the limit 413, malformed JSON and invalid UTF-8 400; nothing is sent")
    func badBodies() async throws {
        let harness = try await GatewayHarness(ingest: IngestConfiguration(maxEventBytes: 4_096))
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        try await harness.test { client in
            let text = try await client.execute(
                uri: "/v1/events", method: .post, headers: .bearer(token, contentType: "text/plain"), body: ByteBuffer(bytes: try arrestEvent()))
            #expect(text.status == .unsupportedMediaType)
            let huge = try await client.execute(
                uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(repeating: UInt8(ascii: " "), count: 64 * 1024))
            #expect(huge.status == .contentTooLarge)
            let malformed = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(string: "{\"eventId\": "))
            #expect(malformed.status == .badRequest)
            var invalidUTF8 = try arrestEvent()
            let index = try #require(invalidUTF8.firstIndex(of: UInt8(ascii: "R")))  // inside "Reyes"
            invalidUTF8[index] = 0xFF
            let notUTF8 = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: invalidUTF8))
            #expect(notUTF8.status == .badRequest)
            // The server goes on.
            let valid = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: try arrestEvent()))
            #expect(valid.status == .accepted)
        }
        #expect(harness.sink.sent.count == 1)
    }

    @Test("past the agency's rate: 429 with Retry-After, another agency is not held back, and the wait it names is enough")
    func rateLimitPerAgency() async throws {
        // The test's clock: only the test moves it (a busy machine's pace refills nothing).
        let clock = Mutex(Date())
        let harness = try await GatewayHarness(
            ingest: IngestConfiguration(rate: IngestRate(eventsPerSecond: 0.5, burst: 2)), now: { clock.withLock { $0 } })
        let police = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let sheriff = try await harness.issuer.token(agency: "MO-JCSO", roles: ["integrator"], agencyKind: "sheriff")
        try await harness.test { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(police), body: ByteBuffer(bytes: try arrestEvent()))
                #expect(response.status == .accepted)
            }
            let limited = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(police), body: ByteBuffer(bytes: try arrestEvent()))
            #expect(limited.status == .tooManyRequests)
            let wait = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect(wait == 2, "one event at 0.5 a second")
            let other = try await client.execute(
                uri: "/v1/events", method: .post, headers: .bearer(sheriff), body: ByteBuffer(bytes: try arrestEvent(agency: "MO-JCSO", kind: "sheriff")))
            #expect(other.status == .accepted)
            clock.withLock { $0 += Double(wait) }
            let afterWaiting = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(police), body: ByteBuffer(bytes: try arrestEvent()))
            #expect(afterWaiting.status == .accepted)
        }
        #expect(harness.sink.sent.count == 4)
    }

    @Test("a batch is all or nothing: one bad line is 400 naming the line, and nothing is sent; a good batch is 202 for each")
    func batchIsAllOrNothing() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let good = [try arrestEvent(), try arrestEvent()]
        let bad = try arrestEvent { $0.removeValue(forKey: "source") }
        try await harness.test { client in
            let refused = try await client.execute(
                uri: "/v1/events/batch", method: .post, headers: .bearer(token, contentType: "application/x-ndjson"), body: Self.ndjson([good[0], bad]))
            #expect(refused.status == .badRequest)
            let violations = try #require(try json(refused.body)["violations"] as? [[String: Any]])
            #expect(violations.allSatisfy { $0["line"] as? Int == 2 }, "\(violations)")
            #expect(harness.sink.sent.isEmpty)

            let accepted = try await client.execute(
                uri: "/v1/events/batch", method: .post, headers: .bearer(token, contentType: "application/x-ndjson"), body: Self.ndjson(good))
            #expect(accepted.status == .accepted)
            #expect((try json(accepted.body)["events"] as? [Any])?.count == 2)
            let asJSON = try await client.execute(uri: "/v1/events/batch", method: .post, headers: .bearer(token), body: Self.ndjson(good))
            #expect(asJSON.status == .unsupportedMediaType)
        }
        #expect(harness.sink.sent.count == 2)
    }

    @Test("when the broker does not store an event: 503, nothing recorded; the retry sends it and is 202")
    func deliveryFailureIsRetried() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let event = try arrestEvent()
        harness.sink.failNext.withLock { $0 = 1 }
        try await harness.test { client in
            let failed = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(failed.status == .serviceUnavailable)
            #expect(harness.sink.sent.isEmpty)
            let retried = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: event))
            #expect(retried.status == .accepted)
        }
        #expect(harness.sink.sent.count == 1)
    }

    @Test("a bus topic's event type is refused: agencies never write bus.*")
    func busEventTypesAreRefused() async throws {
        let harness = try await GatewayHarness()
        let token = try await harness.issuer.token(agency: "MO-KCPD", roles: ["integrator"], agencyKind: "police")
        let tick = try arrestEvent { $0["eventType"] = "bus.timer.ticked" }
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: tick))
            #expect(response.status == .badRequest)
        }
        #expect(harness.sink.sent.isEmpty)
        #expect(!EventIngest.ingestTopics(catalog).contains { $0.hasPrefix("bus.") })
    }
}

/// Posts the contract's `example` as `agency` (of `kind`) with `token`: the example names another
/// agency in `payload.<field>`, which is 403 saying so; the same event naming `agency` there is 202.
func expectOnlyOwn(
    _ client: any TestClientProtocol, _ example: String, field: String, refusal: String = "is not your agency", token: String,
    agency: String, kind: String, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let others = try await client.execute(
        uri: "/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(bytes: try exampleEvent(example, agency: agency, kind: kind)))
    #expect(others.status == .forbidden, "\(example) names another agency", sourceLocation: sourceLocation)
    #expect(String(buffer: others.body).contains("$.payload.\(field) \(refusal)"), sourceLocation: sourceLocation)
    let own = try await client.execute(
        uri: "/v1/events", method: .post, headers: .bearer(token),
        body: ByteBuffer(bytes: try exampleEvent(example, agency: agency, kind: kind) { event in
            var payload = event["payload"] as! [String: Any]
            payload[field] = agency
            event["payload"] = payload
        }))
    #expect(own.status == .accepted, sourceLocation: sourceLocation)
}
