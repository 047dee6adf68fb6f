/// Every setting of the configuration, by its name in the YAML file (dotted for nested keys:
/// `kafka.sasl.mechanism` is `mechanism:` under `sasl:` under `kafka:`), with the environment
/// variable that overrides it.
///
/// Two secrets have no file key on purpose: a configuration file is often committed or mounted
/// where many can read it, so the SASL password and the notification key come from the
/// environment or from a file of their own (`…-file` keys).
public enum ConfigurationKey: String, CaseIterable, Sendable, CustomStringConvertible {
    case bootstrap = "kafka.bootstrap"
    case groupPrefix = "kafka.group-prefix"
    case sessionTimeout = "kafka.session-timeout"
    case connectTimeout = "kafka.connect-timeout"
    case securityProtocol = "kafka.security-protocol"
    case saslMechanism = "kafka.sasl.mechanism"
    case saslUsername = "kafka.sasl.username"
    case saslPassword = "kafka.sasl.password"
    case saslPasswordFile = "kafka.sasl.password-file"
    case tlsCAFile = "kafka.tls.ca-file"
    case tlsCertificateFile = "kafka.tls.cert-file"
    case tlsKeyFile = "kafka.tls.key-file"
    case tlsKeyPasswordFile = "kafka.tls.key-password-file"
    case tlsVerifyHostname = "kafka.tls.verify-hostname"
    case dataDirectory = "data-dir"
    case database = "database"
    case databasePasswordFile = "database-password-file"
    case logLevel = "log.level"
    case logFormat = "log.format"
    case metricsListen = "metrics.listen"
    case shutdownDeadline = "shutdown-deadline"
    case notificationKey = "notification-key"
    case notificationKeyFile = "notification-key-file"
    case feedOperators = "feeds.operators"
    case gatewayListen = "gateway.listen"
    case gatewayJWKSFile = "gateway.jwks-file"
    case gatewayIssuer = "gateway.issuer"
    case gatewayAudience = "gateway.audience"
    case gatewayRate = "gateway.rate"
    case gatewayWebhooksAllow = "gateway.webhooks.allow"
    case gatewayFormKeyFile = "gateway.form-key-file"
    case gatewayMaxRevokedTokens = "gateway.max-revoked-tokens"
    case personsPopulation = "persons.population"
    case personsLearning = "persons.learning"
    case personsLinkThreshold = "persons.link-threshold"
    case personsReviewThreshold = "persons.review-threshold"

    /// The dotted name, as in the file and in messages.
    public var name: String { rawValue }
    public var description: String { rawValue }

    /// The environment variable that overrides the file, if any.
    public var environmentVariable: String? {
        switch self {
        case .bootstrap: "REENTRYBUS_BOOTSTRAP"
        case .groupPrefix: "REENTRYBUS_GROUP_PREFIX"
        case .sessionTimeout: "REENTRYBUS_SESSION_TIMEOUT"
        case .connectTimeout: "REENTRYBUS_CONNECT_TIMEOUT"
        case .securityProtocol: "REENTRYBUS_KAFKA_SECURITY_PROTOCOL"
        case .saslMechanism: "REENTRYBUS_KAFKA_SASL_MECHANISM"
        case .saslUsername: "REENTRYBUS_KAFKA_SASL_USERNAME"
        case .saslPassword: "REENTRYBUS_KAFKA_SASL_PASSWORD"
        case .saslPasswordFile: "REENTRYBUS_KAFKA_SASL_PASSWORD_FILE"
        case .tlsCAFile: "REENTRYBUS_KAFKA_TLS_CA_FILE"
        case .tlsCertificateFile: "REENTRYBUS_KAFKA_TLS_CERT_FILE"
        case .tlsKeyFile: "REENTRYBUS_KAFKA_TLS_KEY_FILE"
        case .tlsKeyPasswordFile: "REENTRYBUS_KAFKA_TLS_KEY_PASSWORD_FILE"
        case .tlsVerifyHostname: nil
        case .dataDirectory: "REENTRYBUS_DATA_DIR"
        case .database: "REENTRYBUS_DATABASE"
        case .databasePasswordFile: "REENTRYBUS_DATABASE_PASSWORD_FILE"
        case .logLevel: "REENTRYBUS_LOG_LEVEL"
        case .logFormat: "REENTRYBUS_LOG_FORMAT"
        case .metricsListen: "REENTRYBUS_METRICS_LISTEN"
        case .shutdownDeadline: "REENTRYBUS_SHUTDOWN_DEADLINE"
        case .notificationKey: "REENTRYBUS_NOTIFICATION_KEY"
        case .notificationKeyFile: "REENTRYBUS_NOTIFICATION_KEY_FILE"
        case .feedOperators: "REENTRYBUS_FEEDS_OPERATORS"
        case .gatewayListen: "REENTRYBUS_GATEWAY_LISTEN"
        case .gatewayJWKSFile: "REENTRYBUS_GATEWAY_JWKS_FILE"
        case .gatewayIssuer: "REENTRYBUS_GATEWAY_ISSUER"
        case .gatewayAudience: "REENTRYBUS_GATEWAY_AUDIENCE"
        case .gatewayRate: "REENTRYBUS_GATEWAY_RATE"
        case .gatewayWebhooksAllow: "REENTRYBUS_GATEWAY_WEBHOOKS_ALLOW"
        case .gatewayFormKeyFile: "REENTRYBUS_GATEWAY_FORM_KEY_FILE"
        case .gatewayMaxRevokedTokens: "REENTRYBUS_GATEWAY_MAX_REVOKED_TOKENS"
        case .personsPopulation: "REENTRYBUS_PERSONS_POPULATION"
        case .personsLearning: "REENTRYBUS_PERSONS_LEARNING"
        case .personsLinkThreshold: "REENTRYBUS_PERSONS_LINK_THRESHOLD"
        case .personsReviewThreshold: "REENTRYBUS_PERSONS_REVIEW_THRESHOLD"
        }
    }

    /// Whether the configuration file may set it (every key but the two inline secrets).
    public var isFileKey: Bool { self != .saslPassword && self != .notificationKey }

    /// Whether its value is masked wherever it is printed (a database URL is printed with its
    /// password masked).
    public var isSecret: Bool { self == .saslPassword || self == .notificationKey || self == .database }

    /// The environment variable naming the configuration file.
    public static let configurationFileVariable = "REENTRYBUS_CONFIG"

    /// Every environment variable the `reentrybus` binary reads, sorted: the deployment files
    /// (docker-compose.yml) may set only these.
    public static let environmentVariables: [String] =
        ([configurationFileVariable] + allCases.compactMap(\.environmentVariable)).sorted()

    /// The file key spelled `path` (`kafka.sasl.mechanism`).
    static let byFilePath: [String: ConfigurationKey] = Dictionary(
        uniqueKeysWithValues: allCases.filter(\.isFileKey).map { ($0.rawValue, $0) })

    /// The sections (`kafka`, `kafka.sasl`, …) that hold keys.
    static let sections: Set<String> = Set(
        allCases.filter(\.isFileKey).flatMap { key -> [String] in
            let parts = key.rawValue.split(separator: ".")
            return (1..<parts.count).map { parts.prefix($0).joined(separator: ".") }
        })

    /// The keys and sections allowed directly under `section` ("" for the top level), for the
    /// hint of an unknown-key error.
    static func children(of section: String) -> [String] {
        let prefix = section.isEmpty ? "" : section + "."
        let names = allCases.filter(\.isFileKey).map(\.rawValue).filter { $0.hasPrefix(prefix) }.map {
            String($0.dropFirst(prefix.count).split(separator: ".").first ?? "")
        }
        return Array(Set(names)).sorted()
    }
}
