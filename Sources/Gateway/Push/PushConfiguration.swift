import Foundation

/// How the push channels (webhooks, the live stream) follow the inbox. Every value has a safe
/// default; tests shorten them to milliseconds.
public struct PushConfiguration: Sendable {
    /// How often an idle follower looks for new notifications. Default: 1 s.
    public var pollInterval: Duration
    /// How long a quiet stream waits before a comment line keeps it open through proxies.
    /// Default: 15 s.
    public var heartbeatInterval: Duration
    /// Most notifications read per look. Default: 100.
    public var batchSize: Int
    public var webhooks: WebhookConfiguration

    public init(
        pollInterval: Duration = .seconds(1), heartbeatInterval: Duration = .seconds(15), batchSize: Int = 100,
        webhooks: WebhookConfiguration = WebhookConfiguration()
    ) {
        self.pollInterval = pollInterval
        self.heartbeatInterval = heartbeatInterval
        self.batchSize = batchSize
        self.webhooks = webhooks
    }
}

/// Delivery of webhooks: where they may go, timeouts, the retry schedule, when to give up.
public struct WebhookConfiguration: Sendable {
    /// Which addresses endpoints may reach, checked at registration and at every delivery.
    /// Default: public unicast addresses only (`dev` and the tests allow loopback).
    public var destinations: WebhookDestinationPolicy
    /// How an endpoint's host name becomes addresses to check and connect to. Default: the
    /// system's resolver.
    public var resolver: WebhookResolver
    /// Longest a delivery may take, connecting included. Default: 10 s.
    public var requestTimeout: Duration
    /// The wait after the first failure; each further failure doubles it (with jitter: a random
    /// half to whole of it). Default: 5 s.
    public var firstRetry: Duration
    /// The longest wait between attempts. Default: 1 h.
    public var maxBackoff: Duration
    /// How long after it became due a delivery is retried before it goes to the endpoint's dead
    /// letters. Default: 24 h (the Standard Webhooks recommendation).
    public var giveUpAfter: Duration
    /// Most deliveries attempted per endpoint per round. Default: 50.
    public var deliveriesPerRound: Int

    public init(
        requestTimeout: Duration = .seconds(10), firstRetry: Duration = .seconds(5), maxBackoff: Duration = .seconds(3_600),
        giveUpAfter: Duration = .seconds(86_400), deliveriesPerRound: Int = 50,
        destinations: WebhookDestinationPolicy = WebhookDestinationPolicy(), resolver: WebhookResolver = .system
    ) {
        self.destinations = destinations
        self.resolver = resolver
        self.requestTimeout = requestTimeout
        self.firstRetry = firstRetry
        self.maxBackoff = maxBackoff
        self.giveUpAfter = giveUpAfter
        self.deliveriesPerRound = deliveriesPerRound
    }

    /// The wait after `failures` failed attempts (1 or more): `firstRetry` doubled per further
    /// failure, at most `maxBackoff`, scaled by `jitter` (0.5 to 1).
    func backoff(afterFailures failures: Int, jitter: Double) -> Duration {
        let doubled = firstRetry * (1 << min(max(failures - 1, 0), 20))
        return min(doubled, maxBackoff) * min(max(jitter, 0.5), 1)
    }
}
