import Settings
import Foundation
import Kafka
import Notifications
import Testing

/// flag > environment > file > default, setting by setting.
@Suite("Configuration precedence") struct PrecedenceTests {
    /// A file setting every key, for SASL over TLS, with files in `$DIR`.
    static let baseFile = """
        kafka:
          bootstrap: file-kafka:9092
          group-prefix: file-prefix
          session-timeout: 10
          connect-timeout: 10
          security-protocol: sasl_ssl
          sasl:
            mechanism: PLAIN
            username: file-user
            password-file: $DIR/file-password
          tls:
            ca-file: $DIR/file-ca.pem
            cert-file: $DIR/file-cert.pem
            key-file: $DIR/file-key.pem
            key-password-file: $DIR/file-key-password
        data-dir: /file/data
        database: postgres://file-user@file-db/readmodels
        log:
          level: debug
          format: text
        metrics:
          listen: 127.0.0.1:9100
        shutdown-deadline: 10
        notification-key-file: $DIR/file-notification.key
        """

    struct Override: Sendable, CustomTestStringConvertible {
        var key: ConfigurationKey
        /// The variable's value (`$DIR` is the scratch directory).
        var value: String
        /// What the effective configuration prints for it.
        var printed: String
        /// The file under the variable, when not `baseFile`.
        var file: String? = nil
        var testDescription: String { key.environmentVariable ?? key.name }
    }

    static let overrides: [Override] = [
        Override(key: .bootstrap, value: "env-kafka-1:9093,env-kafka-2:9093", printed: "env-kafka-1:9093,env-kafka-2:9093"),
        Override(key: .groupPrefix, value: "env-prefix", printed: "env-prefix"),
        Override(key: .sessionTimeout, value: "45", printed: "45"),
        Override(key: .connectTimeout, value: "2.5", printed: "2.5"),
        Override(key: .securityProtocol, value: "SSL", printed: "ssl", file: "kafka:\n  security-protocol: plaintext\n"),
        Override(key: .saslMechanism, value: "SCRAM-SHA-256", printed: "SCRAM-SHA-256"),
        Override(key: .saslUsername, value: "env-user", printed: "env-user"),
        Override(key: .saslPassword, value: distinctiveSecret, printed: "********"),
        Override(key: .saslPasswordFile, value: "$DIR/env-password", printed: "$DIR/env-password"),
        Override(key: .tlsCAFile, value: "$DIR/env-ca.pem", printed: "$DIR/env-ca.pem"),
        Override(key: .tlsCertificateFile, value: "$DIR/env-cert.pem", printed: "$DIR/env-cert.pem"),
        Override(key: .tlsKeyFile, value: "$DIR/env-key.pem", printed: "$DIR/env-key.pem"),
        Override(key: .tlsKeyPasswordFile, value: "$DIR/env-key-password", printed: "$DIR/env-key-password"),
        Override(key: .dataDirectory, value: "/env/data", printed: "/env/data"),
        Override(key: .database, value: "postgres://env-user:\(distinctiveSecret)@env-db:5433/readmodels", printed: "postgres://env-user:********@env-db:5433/readmodels"),
        Override(key: .logLevel, value: "ERROR", printed: "error"),
        Override(key: .logFormat, value: "json", printed: "json"),
        Override(key: .metricsListen, value: "[::]:9464", printed: "[::]:9464"),
        Override(key: .shutdownDeadline, value: "90", printed: "90"),
        Override(key: .notificationKey, value: distinctiveNotificationKey, printed: "********"),
        Override(key: .notificationKeyFile, value: "$DIR/env-notification.key", printed: "$DIR/env-notification.key"),
    ]

    /// Writes every file the base file and the overrides name.
    static func writeFiles(_ scratch: Scratch) throws {
        for prefix in ["file", "env"] {
            try scratch.write("\(prefix)-password", "\(prefix)-\(distinctiveSecret)\n")
            try scratch.write("\(prefix)-key-password", "\(prefix)-key-\(distinctiveSecret)\n")
            try scratch.write("\(prefix)-ca.pem", "-----BEGIN CERTIFICATE-----\n")
            try scratch.write("\(prefix)-cert.pem", "-----BEGIN CERTIFICATE-----\n")
            try scratch.write("\(prefix)-key.pem", "-----BEGIN PRIVATE KEY-----\n")
            try scratch.write("\(prefix)-notification.key", String(repeating: prefix == "file" ? "0f" : "e1", count: 32))
        }
    }

    @Test(arguments: overrides)
    func eachEnvironmentVariableOverridesTheFile(_ override: Override) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try Self.writeFiles(scratch)
        let variable = try #require(override.key.environmentVariable)
        let value = override.value.replacingOccurrences(of: "$DIR", with: scratch.url.path)
        let file = (override.file ?? Self.baseFile).replacingOccurrences(of: "$DIR", with: scratch.url.path)
        let fromFile = try resolve(file: file, in: scratch)
        let configuration = try resolve(file: file, in: scratch, environment: [variable: value])
        #expect(configuration.printedValue(of: override.key)?.hasPrefix(override.printed.replacingOccurrences(of: "$DIR", with: scratch.url.path)) == true,
                "\(configuration.report)")
        #expect(configuration.source(of: override.key) == .environment(variable))
        #expect(fromFile.printedValue(of: override.key) != configuration.printedValue(of: override.key), "the variable changed the setting")
        #expect(!configuration.report.contains(distinctiveSecret))
    }

    /// The environment's values reach what the clients get, not only the printout.
    @Test func theEnvironmentReachesTheClients() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try Self.writeFiles(scratch)
        let configuration = try resolve(
            file: Self.baseFile.replacingOccurrences(of: "$DIR", with: scratch.url.path), in: scratch,
            environment: [
                "REENTRYBUS_BOOTSTRAP": "env-kafka:9093", "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret,
                "REENTRYBUS_KAFKA_SASL_MECHANISM": "scram-sha-512", "REENTRYBUS_KAFKA_TLS_KEY_PASSWORD_FILE": scratch.path("env-key-password"),
                "REENTRYBUS_NOTIFICATION_KEY_FILE": scratch.path("env-notification.key"),
            ])
        let client = configuration.kafkaClient(clientID: "reentrybus-test")
        #expect(client.bootstrapServers == ["env-kafka:9093"])
        #expect(client.clientID == "reentrybus-test")
        guard case .sasl(let sasl, let tls?) = client.security else {
            Issue.record("expected SASL over TLS, got \(client.security)")
            return
        }
        #expect(sasl.mechanism == .scramSHA512)
        #expect(sasl.username == "file-user")
        #expect(sasl.password == distinctiveSecret)
        #expect(tls.keyPassword == "env-key-\(distinctiveSecret)")
        #expect(tls.caLocation == scratch.path("file-ca.pem"))
        let expectedKey = try NotificationSigningKey(text: String(repeating: "e1", count: 32))
        #expect(configuration.notificationKey?.id == expectedKey.id)
    }

    @Test func aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = "kafka:\n  bootstrap: file:1\n  group-prefix: file\n  session-timeout: 7\n"
        let environment = ["REENTRYBUS_BOOTSTRAP": "env:2", "REENTRYBUS_GROUP_PREFIX": "env"]
        let configuration = try resolve(file: file, in: scratch, environment: environment) { flags in
            flags.set(.bootstrap, "flag:3", flag: "--bootstrap")
        }
        #expect(configuration.bootstrapServers == ["flag:3"])
        #expect(configuration.source(of: .bootstrap) == .flag("--bootstrap"))
        #expect(configuration.groupPrefix == "env")
        #expect(configuration.source(of: .groupPrefix) == .environment("REENTRYBUS_GROUP_PREFIX"))
        #expect(configuration.sessionTimeout == .seconds(7))
        #expect(configuration.source(of: .sessionTimeout) == .file(path: scratch.path("reentrybus.yaml"), line: 4))
        #expect(configuration.connectTimeout == .seconds(30))
        #expect(configuration.source(of: .connectTimeout) == .defaultValue)
    }

    @Test func aNumericFlagIsCheckedLikeAnyValueAndNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = try #require(resolutionError(in: scratch, environment: ["REENTRYBUS_CONNECT_TIMEOUT": "5"]) { flags in
            flags.set(.connectTimeout, Double(7_200), flag: "--connect-timeout")
        })
        #expect(error == .invalidValue(key: .connectTimeout, source: .flag("--connect-timeout"), reason: "must be more than 0 and at most 3600 seconds"))
        #expect(error.description == "kafka.connect-timeout (--connect-timeout): must be more than 0 and at most 3600 seconds")
    }

    @Test func anEmptyVariableCountsAsUnset() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let configuration = try resolve(file: "kafka:\n  bootstrap: file:1\n", in: scratch, environment: ["REENTRYBUS_BOOTSTRAP": "", "REENTRYBUS_CONFIG": ""])
        #expect(configuration.bootstrapServers == ["file:1"])
    }

    @Test func theConfigurationFileComesFromTheFlagElseTheEnvironment() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fromEnvironment = try scratch.write("environment.yaml", "kafka:\n  group-prefix: from-environment\n")
        let fromFlag = try scratch.write("flag.yaml", "kafka:\n  group-prefix: from-flag\n")
        let environment = ["REENTRYBUS_CONFIG": fromEnvironment]
        let byEnvironment = try BusConfiguration(environment: environment)
        #expect(byEnvironment.groupPrefix == "from-environment")
        #expect(byEnvironment.configurationFile == fromEnvironment)
        let byFlag = try BusConfiguration(flags: ConfigurationFlags(configurationFile: fromFlag), environment: environment)
        #expect(byFlag.groupPrefix == "from-flag")
        #expect(byFlag.configurationFile == fromFlag)
        let none = try BusConfiguration(environment: [:])
        #expect(none.configurationFile == nil)
        #expect(none.groupPrefix == "reentrybus")
    }

    /// A secret given inline and as a file in one layer is ambiguous; across layers the higher
    /// layer wins.
    @Test func aSecretInlineAndAsAFileInOneLayerIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let keyFile = try scratch.write("notification.key", distinctiveNotificationKey)
        let error = try #require(resolutionError(in: scratch, environment: [
            "REENTRYBUS_NOTIFICATION_KEY": distinctiveNotificationKey, "REENTRYBUS_NOTIFICATION_KEY_FILE": keyFile,
        ]))
        #expect(error.key == "notification-key")
        #expect(error.description.contains("is set together with notification-key-file (environment REENTRYBUS_NOTIFICATION_KEY_FILE); set only one"))
        #expect(!error.description.contains(distinctiveNotificationKey))

        let flagWins = try resolve(in: scratch, environment: ["REENTRYBUS_NOTIFICATION_KEY": String(repeating: "e1", count: 32)]) { flags in
            flags.set(.notificationKeyFile, keyFile, flag: "--notification-key-file")
        }
        #expect(flagWins.source(of: .notificationKeyFile) == .flag("--notification-key-file"))
        #expect(flagWins.printedValue(of: .notificationKey) == EffectiveSetting.notSet)
        #expect(flagWins.notificationKey?.id == (try NotificationSigningKey(text: distinctiveNotificationKey)).id)
    }

    /// Variables named like settings that are none are reported (a typo would otherwise be
    /// silently ignored).
    @Test func unknownReentrybusVariablesAreReported() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let configuration = try resolve(in: scratch, environment: ["REENTRYBUS_BOOSTRAP": "x:1", "PATH": "/bin", "REENTRYBUS_LOG_LEVEL": "info"])
        #expect(configuration.unknownEnvironmentVariables == ["REENTRYBUS_BOOSTRAP"])
    }

    /// The gateway's settings: safe defaults (loopback, a rate), overrides, and a bad rate named.
    @Test func gatewaySettings() throws {
        let defaults = try BusConfiguration(environment: [:])
        #expect(defaults.gateway.listen.description == "127.0.0.1:8080")
        #expect(defaults.gateway.jwksFile == nil)
        #expect(defaults.gateway.ratePerAgency == 200)
        let set = try BusConfiguration(environment: [
            "REENTRYBUS_GATEWAY_LISTEN": "0.0.0.0:9090", "REENTRYBUS_GATEWAY_JWKS_FILE": "/etc/jwks.json",
            "REENTRYBUS_GATEWAY_ISSUER": "https://idp", "REENTRYBUS_GATEWAY_AUDIENCE": "bus", "REENTRYBUS_GATEWAY_RATE": "50",
        ])
        #expect(set.gateway.listen.description == "0.0.0.0:9090")
        #expect(set.gateway.jwksFile == "/etc/jwks.json")
        #expect(set.gateway.issuer == "https://idp")
        #expect(set.gateway.audience == "bus")
        #expect(set.gateway.ratePerAgency == 50)
        #expect(throws: ConfigurationError.self) { try BusConfiguration(environment: ["REENTRYBUS_GATEWAY_RATE": "-1"]) }
        let error = #expect(throws: ConfigurationError.self) { try BusConfiguration(environment: ["REENTRYBUS_GATEWAY_RATE": "fast"]) }
        #expect(error?.description.contains("gateway.rate") == true, "\(String(describing: error))")
    }

    /// The webhooks' allow list: none by default; a YAML list or a comma-separated value; the
    /// flag over the environment over the file; an empty entry named.
    @Test func webhooksAllowList() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try BusConfiguration(environment: [:]).gateway.webhooksAllow.isEmpty)
        let file = """
            gateway:
              webhooks:
                allow: ["10.20.0.0/16", hooks.internal.example]
            """
        #expect(try resolve(file: file, in: scratch).gateway.webhooksAllow == ["10.20.0.0/16", "hooks.internal.example"])
        let fromEnvironment = try resolve(file: file, in: scratch, environment: ["REENTRYBUS_GATEWAY_WEBHOOKS_ALLOW": "fd00::/8, 10.9.0.0/16"])
        #expect(fromEnvironment.gateway.webhooksAllow == ["fd00::/8", "10.9.0.0/16"])
        #expect(fromEnvironment.printedValue(of: .gatewayWebhooksAllow) == "fd00::/8,10.9.0.0/16")
        let fromFlag = try resolve(file: file, in: scratch) { $0.set(.gatewayWebhooksAllow, "hooks.b.example", flag: "--webhooks-allow") }
        #expect(fromFlag.gateway.webhooksAllow == ["hooks.b.example"])
        let error = #expect(throws: ConfigurationError.self) { try BusConfiguration(environment: ["REENTRYBUS_GATEWAY_WEBHOOKS_ALLOW": "10.0.0.0/8,,x"]) }
        #expect(error?.description.contains("gateway.webhooks.allow") == true, "\(String(describing: error))")
    }

    /// The person index's population: 100,000 unless set; a file's value under the
    /// environment's; digits grouped with `_` or `,`; anything not a whole number from 100 to
    /// 1,000,000,000 refused, naming the setting and where it was set.
    @Test func personsPopulation() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let defaults = try BusConfiguration(environment: [:])
        #expect(defaults.personsPopulation == 100_000)
        #expect(defaults.printedValue(of: .personsPopulation) == "100000")
        let file = "persons:\n  population: 250_000\n"
        #expect(try resolve(file: file, in: scratch).personsPopulation == 250_000)
        let fromEnvironment = try resolve(file: file, in: scratch, environment: ["REENTRYBUS_PERSONS_POPULATION": "6,000"])
        #expect(fromEnvironment.personsPopulation == 6_000)
        #expect(fromEnvironment.printedValue(of: .personsPopulation) == "6000")
        for bad in ["0", "99", "-5000", "many", "1e5", "2,000,000,000"] {
            let error = #expect(throws: ConfigurationError.self, "\(bad)") {
                try BusConfiguration(environment: ["REENTRYBUS_PERSONS_POPULATION": bad])
            }
            #expect(error?.description.contains("persons.population") == true, "\(String(describing: error))")
            #expect(error?.description.contains("REENTRYBUS_PERSONS_POPULATION") == true, "\(String(describing: error))")
        }
    }

    /// Whether the person index learns its model: on unless set; `on`/`off` or `true`/`false`
    /// from the file or the environment (the environment wins); anything else refused by name.
    @Test func personsLearning() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let defaults = try BusConfiguration(environment: [:])
        #expect(defaults.personsLearning)
        #expect(defaults.printedValue(of: .personsLearning) == "on")
        let file = "persons:\n  learning: off\n"
        #expect(try resolve(file: file, in: scratch).personsLearning == false)
        let fromEnvironment = try resolve(file: file, in: scratch, environment: ["REENTRYBUS_PERSONS_LEARNING": "true"])
        #expect(fromEnvironment.personsLearning && fromEnvironment.printedValue(of: .personsLearning) == "on")
        for bad in ["yes", "2", "of"] {
            let error = #expect(throws: ConfigurationError.self, "\(bad)") {
                try BusConfiguration(environment: ["REENTRYBUS_PERSONS_LEARNING": bad])
            }
            #expect(error?.description.contains("persons.learning") == true, "\(String(describing: error))")
        }
    }

    /// The person index's thresholds: the resolver's defaults unless set; probabilities from
    /// the file or the environment (the environment wins); out of range, or a review threshold
    /// not below the link threshold, refused by name.
    @Test func personsThresholds() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let defaults = try BusConfiguration(environment: [:])
        #expect(defaults.personsLinkThreshold == 0.99 && defaults.personsReviewThreshold == 0.5)
        #expect(defaults.printedValue(of: .personsLinkThreshold) == "0.99")
        let file = "persons:\n  link-threshold: 0.995\n  review-threshold: 0.4\n"
        let fromFile = try resolve(file: file, in: scratch)
        #expect(fromFile.personsLinkThreshold == 0.995 && fromFile.personsReviewThreshold == 0.4)
        let fromEnvironment = try resolve(file: file, in: scratch, environment: ["REENTRYBUS_PERSONS_LINK_THRESHOLD": "0.999"])
        #expect(fromEnvironment.personsLinkThreshold == 0.999 && fromEnvironment.personsReviewThreshold == 0.4)
        for bad in ["1", "0", "-0.2", "high", "nan"] {
            let error = #expect(throws: ConfigurationError.self, "\(bad)") {
                try BusConfiguration(environment: ["REENTRYBUS_PERSONS_LINK_THRESHOLD": bad])
            }
            #expect(error?.description.contains("persons.link-threshold") == true, "\(String(describing: error))")
        }
        let crossed = #expect(throws: ConfigurationError.self) {
            try BusConfiguration(environment: ["REENTRYBUS_PERSONS_LINK_THRESHOLD": "0.6", "REENTRYBUS_PERSONS_REVIEW_THRESHOLD": "0.7"])
        }
        #expect(crossed?.description.contains("persons.review-threshold") == true, "\(String(describing: crossed))")
        #expect(crossed?.description.contains("persons.link-threshold (0.6") == true, "\(String(describing: crossed))")
    }

    /// The one list of variables the binary reads, which docker-compose.yml is checked against.
    @Test func everyAgreedVariableIsReadAndNoOther() {
        let agreed = [
            "REENTRYBUS_CONFIG", "REENTRYBUS_BOOTSTRAP", "REENTRYBUS_DATA_DIR", "REENTRYBUS_GROUP_PREFIX", "REENTRYBUS_DATABASE",
            "REENTRYBUS_DATABASE_PASSWORD_FILE",
            "REENTRYBUS_LOG_LEVEL", "REENTRYBUS_LOG_FORMAT", "REENTRYBUS_METRICS_LISTEN", "REENTRYBUS_NOTIFICATION_KEY",
            "REENTRYBUS_NOTIFICATION_KEY_FILE", "REENTRYBUS_KAFKA_SECURITY_PROTOCOL", "REENTRYBUS_KAFKA_SASL_MECHANISM",
            "REENTRYBUS_KAFKA_SASL_USERNAME", "REENTRYBUS_KAFKA_SASL_PASSWORD", "REENTRYBUS_KAFKA_SASL_PASSWORD_FILE",
            "REENTRYBUS_KAFKA_TLS_CA_FILE", "REENTRYBUS_KAFKA_TLS_CERT_FILE", "REENTRYBUS_KAFKA_TLS_KEY_FILE",
            "REENTRYBUS_KAFKA_TLS_KEY_PASSWORD_FILE", "REENTRYBUS_SESSION_TIMEOUT", "REENTRYBUS_CONNECT_TIMEOUT",
            "REENTRYBUS_SHUTDOWN_DEADLINE", "REENTRYBUS_FEEDS_OPERATORS",
            "REENTRYBUS_GATEWAY_LISTEN", "REENTRYBUS_GATEWAY_JWKS_FILE", "REENTRYBUS_GATEWAY_ISSUER", "REENTRYBUS_GATEWAY_AUDIENCE",
            "REENTRYBUS_GATEWAY_RATE", "REENTRYBUS_GATEWAY_WEBHOOKS_ALLOW", "REENTRYBUS_GATEWAY_FORM_KEY_FILE",
            "REENTRYBUS_GATEWAY_MAX_REVOKED_TOKENS", "REENTRYBUS_PERSONS_LEARNING", "REENTRYBUS_PERSONS_POPULATION",
            "REENTRYBUS_PERSONS_LINK_THRESHOLD", "REENTRYBUS_PERSONS_REVIEW_THRESHOLD",
        ]
        #expect(BusConfiguration.environmentVariables == agreed.sorted())
    }
}
