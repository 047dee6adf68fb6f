/// Settings every Kafka client (producer, consumer, admin) shares.
///
/// The typed properties cover what ReentryBus services set; `properties` is the escape hatch for
/// any other librdkafka property (see librdkafka's CONFIGURATION.md for the 2.0.2 list) and is
/// applied last, so it overrides the typed values.
public struct KafkaClientConfiguration: Sendable {
    /// `host:port` of one or more brokers to bootstrap from. Default: `localhost:9092`.
    public var bootstrapServers: [String]
    /// Identifies this client in broker logs and metrics. Default: `reentrybus`.
    public var clientID: String
    /// How to reach the brokers: plaintext, TLS, SASL. Default: plaintext.
    public var security: KafkaSecurity
    /// How often librdkafka reports its statistics to swift-metrics (queue depth, consumer lag).
    /// `nil` turns statistics off. Default: 5 seconds.
    public var statisticsInterval: Duration?
    /// How long a broker request may take before it fails. Default: 30 seconds.
    public var requestTimeout: Duration
    /// Raw librdkafka properties, applied after (and overriding) every typed setting.
    public var properties: [String: String]

    public init(
        bootstrapServers: [String] = ["localhost:9092"],
        clientID: String = "reentrybus",
        security: KafkaSecurity = .plaintext,
        statisticsInterval: Duration? = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.security = security
        self.statisticsInterval = statisticsInterval
        self.requestTimeout = requestTimeout
        self.properties = properties
    }

    /// The librdkafka properties these settings stand for, secrets included: never log them.
    var rdKafkaProperties: [String: String] {
        var result: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
            "statistics.interval.ms": statisticsInterval.map { String($0.milliseconds) } ?? "0",
            "socket.timeout.ms": String(max(10, requestTimeout.milliseconds)),
        ]
        result.merge(security.rdKafkaProperties) { _, new in new }
        return result
    }
}

/// How a client authenticates and encrypts its connections. Secrets are passed to librdkafka and
/// never appear in `description`.
public enum KafkaSecurity: Sendable, CustomStringConvertible {
    case plaintext
    case tls(TLS)
    case sasl(SASL, tls: TLS?)

    public struct TLS: Sendable {
        /// PEM file of the certificate authorities to trust; nil uses the system's.
        public var caLocation: String?
        /// PEM client certificate and key, for mutual TLS.
        public var certificateLocation: String?
        public var keyLocation: String?
        public var keyPassword: String?
        /// Check that the broker's certificate names the host. Default: true.
        public var verifyHostname: Bool

        public init(
            caLocation: String? = nil, certificateLocation: String? = nil,
            keyLocation: String? = nil, keyPassword: String? = nil, verifyHostname: Bool = true
        ) {
            self.caLocation = caLocation
            self.certificateLocation = certificateLocation
            self.keyLocation = keyLocation
            self.keyPassword = keyPassword
            self.verifyHostname = verifyHostname
        }
    }

    public struct SASL: Sendable {
        public enum Mechanism: String, Sendable {
            case plain = "PLAIN"
            case scramSHA256 = "SCRAM-SHA-256"
            case scramSHA512 = "SCRAM-SHA-512"
        }
        public var mechanism: Mechanism
        public var username: String
        public var password: String

        public init(mechanism: Mechanism, username: String, password: String) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }
    }

    public var description: String {
        switch self {
        case .plaintext: "plaintext"
        case .tls: "TLS"
        case .sasl(let sasl, let tls): "SASL \(sasl.mechanism.rawValue) over \(tls == nil ? "plaintext" : "TLS")"
        }
    }

    var rdKafkaProperties: [String: String] {
        switch self {
        case .plaintext:
            return ["security.protocol": "plaintext"]
        case .tls(let tls):
            return tls.rdKafkaProperties.merging(["security.protocol": "ssl"]) { _, new in new }
        case .sasl(let sasl, let tls):
            var result = tls?.rdKafkaProperties ?? [:]
            result["security.protocol"] = tls == nil ? "sasl_plaintext" : "sasl_ssl"
            result["sasl.mechanisms"] = sasl.mechanism.rawValue
            result["sasl.username"] = sasl.username
            result["sasl.password"] = sasl.password
            return result
        }
    }
}

extension KafkaSecurity.TLS {
    var rdKafkaProperties: [String: String] {
        var result: [String: String] = [
            "ssl.endpoint.identification.algorithm": verifyHostname ? "https" : "none"
        ]
        if let caLocation { result["ssl.ca.location"] = caLocation }
        if let certificateLocation { result["ssl.certificate.location"] = certificateLocation }
        if let keyLocation { result["ssl.key.location"] = keyLocation }
        if let keyPassword { result["ssl.key.password"] = keyPassword }
        return result
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a short positive duration never becomes 0.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return Int(millis) + (remainder > 0 ? 1 : 0)
    }
}
