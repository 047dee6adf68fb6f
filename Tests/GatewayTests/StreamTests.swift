import AsyncHTTPClient
import Audit
import Contracts
import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import Notifications
import Testing

/// `GET /v1/stream`: the caller's notifications as Server-Sent Events, live, resumable after
/// `Last-Event-ID` without gaps or repeats, with heartbeats, each push audited, and ended
/// promptly by graceful shutdown.
@Suite(.timeLimit(.minutes(2))) struct StreamTests {
    static let agency = "MO-DOC-PP"
    static let settings = PushConfiguration(pollInterval: .milliseconds(20), heartbeatInterval: .milliseconds(100), batchSize: 2)

    /// The id of the notification an event carries.
    static func notificationId(_ event: ServerSentEvent) throws -> String? {
        (try jsonObject(event.data)["notification"] as? NSDictionary)?["id"] as? String
    }

    @Test("live pushes, then a reconnect with Last-Event-ID resumes right after the last event: no gap, no repeat; heartbeats while quiet; shutdown ends it")
    func resumesWithoutGapsOrRepeats() async throws {
        let harness = try await GatewayHarness(push: Self.settings)
        try await harness.describe([(Self.agency, .communitySupervision)])
        let first = (1...3).map { notification(to: .agency(Self.agency), agency: nil, minute: $0) }
        let others = notification(to: .agency("MO-KCPD"), agency: nil, minute: 2)
        try await harness.store(first + [others])
        let token = try await harness.issuer.token()
        try await withHTTPClient { client in try await Application(router: harness.router).test(.live) { test in
            let url = "http://127.0.0.1:\(try #require(test.port))/v1/stream"
            let reader = StreamReader()
            reader.start(url: url, token: token, client: client)
            await reader.events.wait { $0.count >= 3 }
            // Arriving while the client listens.
            let live = (4...5).map { notification(to: .agency(Self.agency), agency: nil, minute: $0) }
            try await harness.store(live)
            await reader.events.wait { $0.count >= 5 }
            await reader.comments.wait { $0.contains("heartbeat") }
            await reader.stop()
            let seen = reader.events.value
            #expect(reader.status.value == 200)
            #expect(try seen.map(Self.notificationId) == (first + live).map(\.id))
            #expect(seen.allSatisfy { $0.event == "notification" })

            // Gone after the third; back with its id.
            let resumed = StreamReader()
            resumed.start(url: url, token: token, lastEventId: seen[2].id, client: client)
            await resumed.events.wait { $0.count >= 2 }
            let more = notification(to: .agency(Self.agency), agency: nil, minute: 6)
            try await harness.store([more])
            await resumed.events.wait { $0.count >= 3 }
            // Graceful shutdown: the open stream ends by itself, promptly.
            harness.gateway.shutdown.trigger()
            await resumed.ended.wait { $0 }
            #expect(try resumed.events.value.map(Self.notificationId) == (live + [more]).map(\.id), "right after the third, nothing skipped or repeated")
            #expect(resumed.events.value.first?.id == seen[3].id, "the same ids on every connection")

            let bad = StreamReader()
            bad.start(url: url, token: token, lastEventId: "not-an-id", client: client)
            await bad.ended.wait { $0 }
            #expect(bad.status.value == 400)
            let anonymous = StreamReader()
            anonymous.start(url: url, token: "forged", client: client)
            await anonymous.ended.wait { $0 }
            #expect(anonymous.status.value == 401)
        } }
        let streamed = try await auditEntries(harness.ledger).filter { $0.channel == .stream }
        #expect(streamed.allSatisfy { $0.requester.subject == "PP-KC-118" && $0.persons.map(\.value) == ["MO1234567"] })
        // One entry per push, per connection (its request id). A push is recorded before it is
        // written, so the first connection may also have recorded the sixth if it was read
        // before the server noticed that client had gone: the ledger over-reports, never under.
        let connections = Dictionary(grouping: streamed, by: \.requestId)
        let firstConnection = try #require(streamed.first?.requestId)
        #expect(connections.count == 2)
        #expect((5...6).contains(connections[firstConnection]?.count ?? 0))
        #expect(connections.first { $0.key != firstConnection }?.value.count == 3, "the resumed connection: 4, 5 and 6")
    }

    @Test("a notification that occurred before the last one pushed, arriving after it, is pushed live and after a reconnect")
    func aLateArrivalIsPushed() async throws {
        let harness = try await GatewayHarness(push: Self.settings)
        try await harness.describe([(Self.agency, .communitySupervision)])
        let recent = (5...6).map { notification(to: .agency(Self.agency), agency: nil, minute: $0) }
        try await harness.store(recent)
        let token = try await harness.issuer.token()
        try await withHTTPClient { client in try await Application(router: harness.router).test(.live) { test in
            let url = "http://127.0.0.1:\(try #require(test.port))/v1/stream"
            let reader = StreamReader()
            reader.start(url: url, token: token, client: client)
            await reader.events.wait { $0.count >= 2 }
            // Occurred an hour before the others; published late.
            let late = notification(to: .agency(Self.agency), agency: nil, minute: -60)
            try await harness.store([late])
            await reader.events.wait { $0.count >= 3 }
            await reader.stop()
            #expect(try reader.events.value.map(Self.notificationId) == (recent + [late]).map(\.id))

            // A client that dropped after the second reconnects and still gets it.
            let resumed = StreamReader()
            resumed.start(url: url, token: token, lastEventId: reader.events.value[1].id, client: client)
            await resumed.events.wait { $0.count >= 1 }
            harness.gateway.shutdown.trigger()
            await resumed.ended.wait { $0 }
            #expect(try resumed.events.value.map(Self.notificationId) == [late.id])
        } }
    }

    @Test("a stream ends once the caller's token has expired, pushing nothing more")
    func endsWhenTheTokenExpires() async throws {
        let clock = ManualClock()
        let harness = try await GatewayHarness(now: clock.now, push: Self.settings)
        try await harness.describe([(Self.agency, .communitySupervision)])
        try await harness.store([notification(to: .agency(Self.agency), agency: nil, minute: 1)])
        let token = try await harness.issuer.token()
        // The token (valid for 10 minutes) was accepted; the stream's clock is now past it.
        clock.advance(by: 3_600)
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/stream", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.contains(": token expired"))
            #expect(!text.contains("event: notification"))
        }
        #expect(try await harness.auditEntries() == 0)
    }
}
