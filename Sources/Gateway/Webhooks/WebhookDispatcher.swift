import AsyncHTTPClient
import Audit
import Contracts
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Notifications
import Policy
import ServiceKit
import Storage

/// Delivers every endpoint's notifications while the gateway runs. Each round, per endpoint:
/// what arrived after its cursor becomes owed deliveries (cursor and rows in one transaction),
/// then each due delivery is read, redacted for the registrant, recorded in the audit ledger
/// (channel `webhook`), signed and POSTed with a bounded timeout. A 2xx answer settles it; any
/// other answer, a timeout or a refused connection schedules a retry (exponential backoff with
/// jitter) until `giveUpAfter` has passed since it became due, then it goes to the endpoint's
/// dead letters with the last status and reason. Owed deliveries live in the gateway's
/// database, so a restart resumes them: at least once, and `webhook-id` (the notification id)
/// lets receivers drop repeats.
///
/// `run` returns once the shutdown signal is triggered and the round in flight is over (its
/// requests are bounded by `requestTimeout`); what is still owed stays owed.
public struct WebhookDispatcher: Sendable {
    let gateway: Gateway
    let logger: Logger

    public init(gateway: Gateway, logger: Logger) {
        self.gateway = gateway
        self.logger = logger
    }

    var database: ServiceDatabase { gateway.database }

    var configuration: WebhookConfiguration { gateway.configuration.push.webhooks }

    /// Rounds until `gateway.shutdown` is triggered, one every `pollInterval` when idle.
    public func run() async {
        await withClient { client in
            while !gateway.shutdown.isTriggered {
                let busy = await round(client: client)
                if !busy, await gateway.shutdown.wait(upTo: gateway.configuration.push.pollInterval) { break }
            }
        }
    }

    /// Runs `body` with the deliveries' HTTP client (no redirects followed: a delivery goes
    /// where it was registered to, and a redirect could point it at an address the
    /// `WebhookDestinationPolicy` refuses), shut down after.
    ///
    /// `pinning` maps a host name to the address checked for it: the client connects there
    /// without a lookup of its own (AsyncHTTPClient's `dnsOverride`; TLS still verifies the
    /// certificate for the name), so DNS cannot answer differently between the check and the
    /// connection (rebinding). AsyncHTTPClient takes no custom resolver and no per-request
    /// override, so a delivery to a host name gets a client of its own.
    func withClient<T: Sendable>(pinning: [String: String] = [:], _ body: (HTTPClient) async -> T) async -> T {
        var settings = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: .milliseconds(Self.milliseconds(configuration.requestTimeout))))
        settings.dnsOverride = pinning
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        let result = await body(client)
        do {
            try await client.shutdown()
        } catch {
            logger.warning("Webhook client did not shut down cleanly", metadata: ["error-type": "\(type(of: error))"])
        }
        return result
    }

    /// One round over every endpoint; true when some endpoint may have more due at once.
    func round(client: HTTPClient) async -> Bool {
        let endpoints: [WebhookStore.Stored]
        do {
            endpoints = try await database.read { try WebhookStore.endpoints(of: nil, $0) }
        } catch {
            logger.error("Webhook endpoints unreadable", metadata: ["error-type": "\(type(of: error))"])
            return false
        }
        return await withTaskGroup(of: Bool.self) { group in
            for stored in endpoints {
                group.addTask { await self.serve(stored, client: client) }
            }
            var busy = false
            for await more in group { busy = busy || more }
            return busy
        }
    }

    /// Enqueues what arrived for one endpoint, then attempts its due deliveries.
    func serve(_ stored: WebhookStore.Stored, client: HTTPClient) async -> Bool {
        let endpoint = stored.endpoint
        let requester: Requester
        let more: Bool
        do {
            requester = try await gateway.requester(for: endpoint.registrant)
            more = try await enqueue(stored, requester: requester)
        } catch {
            logger.warning("Webhook endpoint's inbox unreadable", metadata: ["endpoint": "\(endpoint.id)", "error-type": "\(type(of: error))"])
            return false
        }
        let due: [WebhookStore.Delivery]
        do {
            let now = Self.milliseconds(gateway.now())
            let limit = configuration.deliveriesPerRound
            due = try await database.read { try WebhookStore.due(for: endpoint.id, now: now, limit: limit, $0) }
        } catch {
            logger.error("Webhook deliveries unreadable", metadata: ["endpoint": "\(endpoint.id)", "error-type": "\(type(of: error))"])
            return false
        }
        for delivery in due {
            if gateway.shutdown.isTriggered { return false }
            await attempt(delivery, to: endpoint, as: requester, client: client)
        }
        return more || due.count == configuration.deliveriesPerRound
    }

    /// Owes the endpoint what its registrant's inbox holds after its cursor; true when a full
    /// page was read (more may wait).
    func enqueue(_ stored: WebhookStore.Stored, requester: Requester) async throws -> Bool {
        let endpoint = stored.endpoint
        let follower = InboxFollower(gateway: gateway)
        let batch = try await follower.next(
            for: endpoint.registrant, as: requester, after: stored.cursor, limit: gateway.configuration.push.batchSize,
            including: { endpoint.wants(eventType: $0.sourceEventType, rule: $0.reason.rule) })
        guard let lastRead = batch.lastRead else { return false }
        let owed = batch.items.map { (id: $0.disclosed.notification.id, arrival: $0.position.arrival) }
        let now = Self.milliseconds(gateway.now())
        try await database.write { try WebhookStore.enqueue(owed, for: endpoint.id, advancingTo: lastRead, now: now, $0) }
        return batch.full
    }

    /// One attempt of one delivery, its outcome stored.
    func attempt(_ delivery: WebhookStore.Delivery, to endpoint: WebhookEndpoint, as requester: Requester, client: HTTPClient) async {
        let outcome = await send(delivery, to: endpoint, as: requester, client: client)
        let now = Self.milliseconds(gateway.now())
        Counter(label: "reentrybus_gateway_webhook_attempts_total", dimensions: [("outcome", outcome.label)]).increment()
        do {
            switch outcome {
            case .delivered, .gone:
                try await database.write { try WebhookStore.delivered(delivery, $0) }
            case .failed(let status, let reason):
                let giveUpAt = delivery.enqueuedAtMilliseconds + Self.milliseconds(configuration.giveUpAfter)
                if now >= giveUpAt {
                    try await database.write { try WebhookStore.giveUp(delivery, status: status, reason: reason, now: now, $0) }
                    logger.warning("Webhook delivery given up; in the endpoint's dead letters", metadata: [
                        "endpoint": "\(endpoint.id)", "notification": "\(delivery.notificationId)", "attempts": "\(delivery.attempts + 1)",
                        "reason": "\(reason)",
                    ])
                } else {
                    let wait = configuration.backoff(afterFailures: delivery.attempts + 1, jitter: Double.random(in: 0.5...1))
                    let retryAt = min(now + Self.milliseconds(wait), giveUpAt)
                    try await database.write { try WebhookStore.failed(delivery, status: status, reason: reason, retryAt: retryAt, $0) }
                }
            }
        } catch {
            // The row stays as it was: the delivery is attempted again (at least once).
            logger.error("Webhook delivery outcome not stored", metadata: ["endpoint": "\(endpoint.id)", "error-type": "\(type(of: error))"])
        }
    }

    enum Outcome: Sendable {
        case delivered
        /// The notification is no longer in the inbox (a sealing order removed it): nothing to send.
        case gone
        case failed(status: Int?, reason: String)

        var label: String {
            switch self {
            case .delivered: "delivered"
            case .gone: "gone"
            case .failed: "failed"
            }
        }
    }

    /// Reads, redacts, records, signs and POSTs one delivery.
    func send(_ delivery: WebhookStore.Delivery, to endpoint: WebhookEndpoint, as requester: Requester, client: HTTPClient) async -> Outcome {
        guard let key = WebhookSecret.key(of: endpoint.secret) else { return .failed(status: nil, reason: "the endpoint's secret is unusable") }
        let disclosed: DisclosedNotification
        do {
            guard let notification = try await gateway.notifications.notification(id: delivery.notificationId) else { return .gone }
            disclosed = try await gateway.disclose(notification, to: requester)
        } catch {
            return .failed(status: nil, reason: "the inbox could not be read")
        }
        // Checked before the disclosure is recorded: what is refused is never sent.
        let destination: WebhookDestination
        do throws(WebhookDestinationRefusal) {
            destination = try await WebhookDestination.check(endpoint.url, policy: configuration.destinations, resolver: configuration.resolver)
        } catch {
            logger.warning("Webhook delivery refused by the destination policy", metadata: ["endpoint": "\(endpoint.id)", "reason": "\(error.reason)"])
            return .failed(status: nil, reason: "not sent: url \(error.reason)")
        }
        let body = Array(disclosed.document.description.utf8)
        let sentAt = gateway.now()
        do {
            try await gateway.recorder.record(Disclosure(
                redactions: [disclosed.redaction], requester: requester,
                requestId: "webhook:\(endpoint.id):\(delivery.notificationId):\(delivery.attempts + 1)", channel: .webhook,
                resource: BusNotification.eventType, at: sentAt))
        } catch {
            return .failed(status: nil, reason: "the disclosure could not be recorded; nothing was sent")
        }
        let timestamp = Int64(sentAt.timeIntervalSince1970.rounded(.down))
        var request = HTTPClientRequest(url: endpoint.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "webhook-id", value: delivery.notificationId)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature", value: WebhookSecret.signature(secret: key, id: delivery.notificationId, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        guard let pinned = destination.pinned else { return await post(request, to: endpoint, client: client) }
        return await withClient(pinning: [destination.host: pinned.description]) { pinnedClient in
            await post(request, to: endpoint, client: pinnedClient)
        }
    }

    /// POSTs a prepared delivery; a 2xx settles it (a 3xx is not followed: it fails).
    func post(_ request: HTTPClientRequest, to endpoint: WebhookEndpoint, client: HTTPClient) async -> Outcome {
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Self.milliseconds(configuration.requestTimeout)))
            let status = Int(response.status.code)
            do {
                _ = try await response.body.collect(upTo: 64 * 1024)
            } catch {
                // The answer's status decides; a long or broken answer body does not.
                logger.debug("Webhook answer body not read", metadata: ["endpoint": "\(endpoint.id)", "error-type": "\(type(of: error))"])
            }
            return (200..<300).contains(status) ? .delivered : .failed(status: status, reason: "answered \(status)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failed(status: nil, reason: "timed out after \(configuration.requestTimeout)")
        } catch {
            return .failed(status: nil, reason: "not delivered: \(type(of: error))")
        }
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
