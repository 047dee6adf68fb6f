import Foundation
import Kafka
import Logging
import Notifications

/// The effective configuration of a `reentrybus` process that talks to a Kafka cluster
/// (`serve`, `topics apply`, `publish`), resolved from four layers — command-line flag >
/// environment variable > configuration file > built-in default — and checked as a whole.
///
/// Secrets (the SASL password, the TLS key password, the notification key, a database URL's
/// password) come from the environment or from files of their own, never from the configuration
/// file itself. They are held in types that print masked (`Secret`, `KafkaSecurity`,
/// `NotificationSigningKey`, `DatabaseURL`), and `settings` — what `config check` prints —
/// holds only masked forms.
public struct BusConfiguration: Sendable {
    /// The built-in defaults (the bottom layer).
    public enum Defaults {
        public static let bootstrapServers = ["localhost:9092"]
        public static let groupPrefix = "reentrybus"
        /// 6 seconds suits the embedded broker and is Kafka's smallest allowed by default
        /// (`group.min.session.timeout.ms`); Kafka's own default is 45 seconds.
        public static let sessionTimeout: Duration = .seconds(6)
        public static let connectTimeout: Duration = .seconds(30)
        public static let shutdownDeadline: Duration = .seconds(30)
        public static let dataDirectory = ".reentrybus/serve"
        public static let logLevel: Logger.Level = .info
        public static let logFormat: LogFormat = .text
        /// The bus's operators, told of every silent feed.
        public static let feedOperators = Recipient.unit("BUS-OPERATIONS")
        /// The gateway listens on loopback unless an operator says otherwise.
        public static let gatewayListen = "127.0.0.1:8080"
        public static let gatewayIssuer = "reentrybus"
        public static let gatewayAudience = "reentrybus-gateway"
        /// Events per second per agency, sustained.
        public static let gatewayRate = 200.0
        /// Signed-out tokens a gateway process remembers (`AuthenticationConfiguration`'s default).
        public static let gatewayMaxRevokedTokens = 100_000
        /// The people the person index's records describe (its prior; see `personsPopulation`).
        public static let personsPopulation = 100_000
        /// Whether the person index learns its m and u from its records (see `personsLearning`).
        public static let personsLearning = true
        /// The match probabilities the person index links at and sends to review from (see
        /// `personsLinkThreshold`); the batch resolver's defaults too.
        public static let personsLinkThreshold = 0.99
        public static let personsReviewThreshold = 0.5
    }

    /// The gateway's settings (`serve gateway`).
    public struct GatewaySettings: Sendable, Hashable {
        /// Default: `127.0.0.1:8080`.
        public var listen: ListenAddress
        /// The JSON Web Key Set file with the token issuer's public keys; `serve gateway`
        /// requires it. Default: none.
        public var jwksFile: String?
        /// The `iss` tokens must carry. Default: `reentrybus`.
        public var issuer: String
        /// The `aud` tokens must name. Default: `reentrybus-gateway`.
        public var audience: String
        /// Events per second each agency may send, sustained. Default: 200.
        public var ratePerAgency: Double
        /// Internal receivers webhooks may reach besides public addresses: CIDR ranges
        /// (`10.20.0.0/16`) or host names (`hooks.internal.example`), as written; the gateway reads
        /// them (`WebhookDestinationPolicy`). Default: none (public unicast addresses only).
        public var webhooksAllow: [String] = []
        /// The web UI's form key, read from `gateway.form-key-file`: every gateway instance
        /// behind one address needs the same one (else each refuses the others' forms), and it
        /// keeps open forms valid across a restart. Default: none (a random key per process).
        public var formKey: GatewayFormKey? = nil
        /// Most signed-out tokens one gateway process remembers until they expire. Default:
        /// 100,000.
        public var maxRevokedTokens: Int = BusConfiguration.Defaults.gatewayMaxRevokedTokens
    }

    /// The configuration file read (`--config`, else `REENTRYBUS_CONFIG`), if any.
    public var configurationFile: String?
    /// `host:port` of the brokers to bootstrap from. Default: `localhost:9092`.
    public var bootstrapServers: [String]
    /// TLS and SASL settings for every Kafka client (producers, consumers, the admin client).
    /// Default: plaintext.
    public var security: KafkaSecurity
    /// Consumer groups are `<groupPrefix>.<service>`. Default: `reentrybus`.
    public var groupPrefix: String
    /// How long a consumer group waits for a silent member. Default: 6 seconds.
    public var sessionTimeout: Duration
    /// How long the start waits for a broker to answer. Default: 30 seconds.
    public var connectTimeout: Duration
    /// How long graceful shutdown may take. Default: 30 seconds.
    public var shutdownDeadline: Duration
    /// Where services keep their SQLite databases. Default: `.reentrybus/serve`.
    public var dataDirectory: String
    /// Where the services keep their state (see ``DatabaseChoice``). Default: SQLite files in
    /// the data directory.
    public var database: DatabaseChoice
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Where the per-process HTTP endpoint (`/metrics`, `/health/live`, `/health/ready`)
    /// listens; nil (the default) runs no endpoint.
    public var metricsListen: ListenAddress?
    /// The key notifications are signed and verified with; `serve` requires it
    /// (`requireNotificationKey()`), the other commands ignore it.
    public var notificationKey: NotificationSigningKey?
    /// Who the feeds service tells, with the agency, of a silent feed (`serve feeds`). Default:
    /// `unit:BUS-OPERATIONS`.
    public var feedOperators: Recipient
    /// The gateway's listen address, key set, issuer, audience and rate.
    public var gateway: GatewaySettings
    /// About how many people the records of the person index's agencies describe: the index
    /// decides with a prior of one in this that two records are one person (`serve
    /// person-index`, and its `replay`, which must decide alike). Default: 100,000.
    public var personsPopulation: Int
    /// Whether the person index learns its m and u from its own records (EM, checked on the
    /// pairs its strong identifiers prove) or keeps the built-in ones (`serve person-index`
    /// and its `replay`). Default: true. Learning halved the review queue of 100,000
    /// benchmark records and added false links (the README has both); off keeps the built-in
    /// model's decisions.
    public var personsLearning: Bool
    /// The match probability at or above which the person index links two records, and the
    /// one from which it sends a pair to review instead of leaving it apart (`serve
    /// person-index`, its `replay`, `persons index`). Defaults 0.99 and 0.5. A higher link
    /// threshold links fewer namesakes and sends more true pairs to review: on 100,000
    /// benchmark records 0.995 gave precision 0.9991 against 0.9988 (the README has both).
    public var personsLinkThreshold: Double
    public var personsReviewThreshold: Double
    /// Every setting with its printed value (secrets masked) and where it came from.
    public var settings: [EffectiveSetting]
    /// Variables named `REENTRYBUS_…` in the environment that are no setting (a typo?).
    public var unknownEnvironmentVariables: [String]
    /// Settings the file, the environment or a flag gave that this command does not use (see
    /// `init(flags:environment:keys:)`), in `ConfigurationKey` order; left at their defaults.
    public var unusedSettings: [UnusedSetting]

    /// Resolves the configuration from `flags`, `environment` and the configuration file they
    /// name, over the defaults, and checks it: every value parses, secrets the settings need are
    /// there, settings do not contradict each other, files named by settings can be read.
    ///
    /// `keys` are the settings the command uses (default: all). The others are not resolved:
    /// they keep their defaults and are listed in `unusedSettings`, so that `dev`, which runs its
    /// own embedded broker, is not stopped by Kafka security settings meant for `serve`. The file
    /// is still checked whole: an unknown key or a wrong kind of value stops any command.
    ///
    /// - Throws: `ConfigurationError` naming the setting and where it was set (file and line,
    ///   environment variable or flag). It never contains a secret.
    public init(
        flags: ConfigurationFlags = ConfigurationFlags(), environment: [String: String],
        keys: Set<ConfigurationKey> = Set(ConfigurationKey.allCases)
    ) throws(ConfigurationError) {
        var resolver = try ConfigurationResolver(flags: flags, environment: environment, keys: keys)
        self = try resolver.resolve()
    }

    init(
        configurationFile: String?, bootstrapServers: [String], security: KafkaSecurity, groupPrefix: String,
        sessionTimeout: Duration, connectTimeout: Duration, shutdownDeadline: Duration, dataDirectory: String,
        database: DatabaseChoice, logLevel: Logger.Level, logFormat: LogFormat, metricsListen: ListenAddress?,
        notificationKey: NotificationSigningKey?, feedOperators: Recipient, gateway: GatewaySettings, personsPopulation: Int, personsLearning: Bool,
        personsLinkThreshold: Double = Defaults.personsLinkThreshold, personsReviewThreshold: Double = Defaults.personsReviewThreshold,
        settings: [EffectiveSetting], unknownEnvironmentVariables: [String], unusedSettings: [UnusedSetting]
    ) {
        self.gateway = gateway
        self.configurationFile = configurationFile
        self.bootstrapServers = bootstrapServers
        self.security = security
        self.groupPrefix = groupPrefix
        self.sessionTimeout = sessionTimeout
        self.connectTimeout = connectTimeout
        self.shutdownDeadline = shutdownDeadline
        self.dataDirectory = dataDirectory
        self.database = database
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.metricsListen = metricsListen
        self.notificationKey = notificationKey
        self.feedOperators = feedOperators
        self.personsPopulation = personsPopulation
        self.personsLearning = personsLearning
        self.personsLinkThreshold = personsLinkThreshold
        self.personsReviewThreshold = personsReviewThreshold
        self.settings = settings
        self.unknownEnvironmentVariables = unknownEnvironmentVariables
        self.unusedSettings = unusedSettings
    }

    /// Every environment variable the `reentrybus` binary reads (`ConfigurationKey.environmentVariables`).
    public static var environmentVariables: [String] { ConfigurationKey.environmentVariables }

    /// Client settings for a Kafka client of this process: the bootstrap servers and the
    /// security settings; `clientID` names the client in the broker's logs.
    public func kafkaClient(clientID: String) -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: clientID, security: security)
    }

    /// The notification key, or an error saying how to set it (for `serve`, whose services in
    /// separate processes must share one).
    public func requireNotificationKey() throws(ConfigurationError) -> NotificationSigningKey {
        guard let notificationKey else {
            throw .missingSetting(
                key: .notificationKey,
                reason: "serve needs the key that services sign notifications with (hex or base64, at least 32 bytes, "
                    + "the same for every service; e.g. `openssl rand -hex 32`)",
                file: configurationFile)
        }
        return notificationKey
    }

    /// The effective configuration as `config check` prints it: a comment naming the file, then
    /// one `key: value  # source` line per setting, secrets masked.
    public var report: String {
        let width = settings.map { $0.key.name.count + 2 + $0.printedValue.count }.max() ?? 0
        var lines = ["# configuration file: \(configurationFile ?? "none (environment and defaults only)")"]
        for setting in settings {
            let text = "\(setting.key.name): \(setting.printedValue)"
            lines.append(text + String(repeating: " ", count: max(1, width - text.count + 2)) + "# \(setting.source)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The printed value of `key`, for tests and messages.
    public func printedValue(of key: ConfigurationKey) -> String? {
        settings.first { $0.key == key }?.printedValue
    }

    /// Where `key` came from.
    public func source(of key: ConfigurationKey) -> ConfigurationSource? {
        settings.first { $0.key == key }?.source
    }
}

extension BusConfiguration: CustomStringConvertible, CustomReflectable {
    /// The report: secrets masked.
    public var description: String { report }

    /// Reflection (`dump`, debuggers) sees the printed settings only, never the secrets that
    /// `security` and `notificationKey` hand to the clients.
    public var customMirror: Mirror {
        Mirror(self, children: settings.map { Mirror.Child(label: $0.key.name, value: $0.printedValue) }, displayStyle: .struct)
    }
}
