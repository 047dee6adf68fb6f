import Foundation

/// Everything the gateway needs besides its collaborators: where it listens, how it checks
/// tokens, and the limits of ingest and queries. Every limit has a safe default.
public struct GatewayConfiguration: Sendable {
    /// `host:port` to listen on. Default: `127.0.0.1:8080` (loopback: nothing is exposed
    /// unless an operator says so).
    public var host: String
    public var port: Int
    public var authentication: AuthenticationConfiguration
    public var ingest: IngestConfiguration
    /// Largest page of `GET /v1/inbox` (`limit`); the default page is 50. Default: 200.
    public var maxPageSize: Int
    /// Pages served beside the API (the web UI), registered on the same router. Default: nil
    /// (the API alone).
    public var pages: (any GatewayPages)?
    /// Webhooks and the live stream. Default: `PushConfiguration()`.
    public var push: PushConfiguration

    public init(
        host: String = "127.0.0.1", port: Int = 8080, authentication: AuthenticationConfiguration,
        ingest: IngestConfiguration = IngestConfiguration(), maxPageSize: Int = 200, pages: (any GatewayPages)? = nil,
        push: PushConfiguration = PushConfiguration()
    ) {
        self.push = push
        self.host = host
        self.port = port
        self.authentication = authentication
        self.ingest = ingest
        self.maxPageSize = maxPageSize
        self.pages = pages
    }
}

/// The limits of `POST /v1/events` and `POST /v1/events/batch`.
public struct IngestConfiguration: Sendable {
    /// Largest body of `POST /v1/events`, bytes: one event's limit. Default: 262,144 (256 KiB,
    /// `JSONDecodingLimits.events`).
    public var maxEventBytes: Int
    /// Largest body of `POST /v1/events/batch`, bytes. Default: 4 MiB.
    public var maxBatchBytes: Int
    /// Most events in one batch. Default: 1,000.
    public var maxBatchEvents: Int
    /// Each agency's rate. Default: `IngestRate()` (200 events/s, bursts of 1,000).
    public var rate: IngestRate
    /// How long an accepted event id's outcome is remembered for retries. Default: 7 days.
    public var rememberFor: Duration

    public init(
        maxEventBytes: Int = 256 * 1024, maxBatchBytes: Int = 4 * 1024 * 1024, maxBatchEvents: Int = 1_000,
        rate: IngestRate = IngestRate(), rememberFor: Duration = .seconds(7 * 86_400)
    ) {
        self.maxEventBytes = maxEventBytes
        self.maxBatchBytes = maxBatchBytes
        self.maxBatchEvents = maxBatchEvents
        self.rate = rate
        self.rememberFor = rememberFor
    }
}
