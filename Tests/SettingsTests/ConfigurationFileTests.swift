import Settings
import Foundation
import Kafka
import Logging
import Testing

/// The YAML file: every key read, every bad key, type and value refused with the key, the file
/// and the line.
@Suite("Configuration file") struct ConfigurationFileTests {
    @Test func readsEverySettingOfTheFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let password = try scratch.write("sasl-password", distinctiveSecret + "\n")
        let keyPassword = try scratch.write("key-password", "key-" + distinctiveSecret)
        let ca = try scratch.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let certificate = try scratch.write("client.pem", "-----BEGIN CERTIFICATE-----\n")
        let key = try scratch.write("client.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
        let notificationKey = try scratch.write("notification.key", distinctiveNotificationKey + "\n")
        let configuration = try resolve(file: """
            # The bus in production
            kafka:
              bootstrap:
                - kafka-1:9093
                - kafka-2:9093
              group-prefix: agency.reentrybus
              session-timeout: 45
              connect-timeout: 12.5
              security-protocol: sasl_ssl
              sasl:
                mechanism: SCRAM-SHA-512
                username: reentrybus-router
                password-file: \(password)
              tls:
                ca-file: \(ca)
                cert-file: \(certificate)
                key-file: \(key)
                key-password-file: \(keyPassword)
                verify-hostname: false
            data-dir: /var/lib/reentrybus
            database: postgres://reentrybus@db:5432/readmodels?sslmode=require
            log:
              level: notice
              format: json
            metrics:
              listen: 0.0.0.0:9464
            shutdown-deadline: 20
            notification-key-file: \(notificationKey)
            feeds:
              operators: role:MO-BUS/on-call
            """, in: scratch)

        #expect(configuration.bootstrapServers == ["kafka-1:9093", "kafka-2:9093"])
        #expect(configuration.groupPrefix == "agency.reentrybus")
        #expect(configuration.sessionTimeout == .seconds(45))
        #expect(configuration.connectTimeout == .milliseconds(12_500))
        #expect(configuration.shutdownDeadline == .seconds(20))
        #expect(configuration.dataDirectory == "/var/lib/reentrybus")
        #expect(configuration.database.postgresURL?.host == "db")
        #expect(configuration.database.postgresURL?.port == 5432)
        #expect(configuration.database.postgresURL?.database == "readmodels")
        #expect(configuration.logLevel == .notice)
        #expect(configuration.logFormat == .json)
        #expect(configuration.metricsListen == ListenAddress(host: "0.0.0.0", port: 9464))
        #expect(configuration.notificationKey != nil)
        guard case .sasl(let sasl, let tls?) = configuration.security else {
            Issue.record("expected SASL over TLS, got \(configuration.security)")
            return
        }
        #expect(sasl.mechanism == .scramSHA512)
        #expect(sasl.username == "reentrybus-router")
        #expect(sasl.password == distinctiveSecret, "the file's final line break is not part of the password")
        #expect(tls.caLocation == ca)
        #expect(tls.certificateLocation == certificate)
        #expect(tls.keyLocation == key)
        #expect(tls.keyPassword == "key-" + distinctiveSecret)
        #expect(tls.verifyHostname == false)
        #expect(configuration.source(of: .groupPrefix) == .file(path: scratch.path("reentrybus.yaml"), line: 6))
        #expect(configuration.source(of: .logFormat) == .file(path: scratch.path("reentrybus.yaml"), line: 24))
    }

    @Test func anEmptyFileKeyOrSectionSetsNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let empty = try resolve(file: "# nothing yet\n", in: scratch)
        #expect(empty.bootstrapServers == ["localhost:9092"])
        #expect(empty.security.description == "plaintext")
        #expect(empty.sessionTimeout == .seconds(6))
        #expect(empty.connectTimeout == .seconds(30))
        #expect(empty.shutdownDeadline == .seconds(30))
        #expect(empty.dataDirectory == ".reentrybus/serve")
        #expect(empty.logLevel == .info)
        #expect(empty.logFormat == .text)
        #expect(empty.metricsListen == nil)
        #expect(empty.database == .sqlite(directory: nil))
        #expect(empty.notificationKey == nil)
        #expect(empty.source(of: .bootstrap) == .defaultValue)

        let blanks = try resolve(file: "kafka:\n  bootstrap: ~\nlog:\nmetrics:\n  listen:\n", in: scratch)
        #expect(blanks.bootstrapServers == ["localhost:9092"])
        #expect(blanks.metricsListen == nil)
    }

    @Test func bootstrapServersMayBeOneCommaSeparatedValue() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let configuration = try resolve(file: "kafka:\n  bootstrap: \"a:9092, b:9092,[::1]:9093\"\n", in: scratch)
        #expect(configuration.bootstrapServers == ["a:9092", "b:9092", "[::1]:9093"])
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        var text: String
        var key: String
        var line: Int
        /// Words the message must contain besides the key, the file and the line.
        var saying: String
        var testDescription: String { "\(key): \(saying)" }
    }

    /// An unknown key: a typo at the top level or in a section, or a secret written inline.
    @Test(arguments: [
        BadFile(text: "kafka:\n  bootstrap: a:1\nlogging:\n  level: info\n", key: "logging", line: 3, saying: "allowed at the top level: data-dir, database, database-password-file, feeds, gateway, kafka, log, metrics, notification-key-file, persons, shutdown-deadline"),
        BadFile(text: "kafka:\n  tls:\n    ca-file: /x\n    ca: /y\n", key: "kafka.tls.ca", line: 4, saying: "allowed under kafka.tls: ca-file, cert-file, key-file, key-password-file, verify-hostname"),
        BadFile(text: "kafka:\n  sasl:\n    password: \(distinctiveSecret)\n", key: "kafka.sasl.password", line: 3, saying: "secrets stay out of the configuration file: set kafka.sasl.password-file"),
        BadFile(text: "notification-key: \(distinctiveNotificationKey)\n", key: "notification-key", line: 1, saying: "REENTRYBUS_NOTIFICATION_KEY"),
    ])
    func anUnknownKeyIsNamedWithItsFileAndLine(_ bad: BadFile) throws {
        try expectRefused(bad)
    }

    /// The wrong kind of value: a value where a section goes, a list where one value goes, a
    /// key given twice.
    @Test(arguments: [
        BadFile(text: "kafka: localhost:9092\n", key: "kafka", line: 1, saying: "expected a section of settings (key: value lines), found a single value"),
        BadFile(text: "kafka:\n  session-timeout: [1, 2]\n", key: "kafka.session-timeout", line: 2, saying: "expected a single value, found a list"),
        BadFile(text: "log:\n  level:\n    name: info\n", key: "log.level", line: 2, saying: "expected a single value, found a section"),
        BadFile(text: "data-dir: /a\ndata-dir: /b\n", key: "data-dir", line: 2, saying: "expected one value, found the key a second time"),
        BadFile(text: "kafka:\n  bootstrap: a:1\nkafka.bootstrap: b:2\n", key: "kafka.bootstrap", line: 3, saying: "expected one value, found the key a second time"),
        BadFile(text: "kafka:\n  bootstrap:\n    - a:1\n    - [b, 2]\n", key: "kafka.bootstrap", line: 4, saying: "expected HOST:PORT entries, found a list"),
    ])
    func aWrongTypeIsNamedWithItsFileAndLine(_ bad: BadFile) throws {
        try expectRefused(bad)
    }

    /// A value that does not parse, or cannot work.
    @Test(arguments: [
        BadFile(text: "kafka:\n  session-timeout: soon\n", key: "kafka.session-timeout", line: 2, saying: "must be a number of seconds"),
        BadFile(text: "kafka:\n  connect-timeout: 0\n", key: "kafka.connect-timeout", line: 2, saying: "must be more than 0 and at most 3600 seconds"),
        BadFile(text: "shutdown-deadline: -3\n", key: "shutdown-deadline", line: 1, saying: "must be more than 0"),
        BadFile(text: "kafka:\n  bootstrap: kafka-1\n", key: "kafka.bootstrap", line: 2, saying: "must be HOST:PORT"),
        BadFile(text: "kafka:\n  bootstrap: a:9092,,b:9092\n", key: "kafka.bootstrap", line: 2, saying: "(entry 2 of 3)"),
        BadFile(text: "kafka:\n  group-prefix: agency reentrybus\n", key: "kafka.group-prefix", line: 2, saying: "must be ASCII letters, digits"),
        BadFile(text: "kafka:\n  security-protocol: tls\n", key: "kafka.security-protocol", line: 2, saying: "must be plaintext, ssl, sasl_plaintext or sasl_ssl"),
        BadFile(text: "log:\n  level: verbose\n", key: "log.level", line: 2, saying: "must be trace, debug, info"),
        BadFile(text: "log:\n  format: xml\n", key: "log.format", line: 2, saying: "must be text or json"),
        BadFile(text: "metrics:\n  listen: 9464\n", key: "metrics.listen", line: 2, saying: "must be HOST:PORT"),
        BadFile(text: "metrics:\n  listen: 0.0.0.0:99999\n", key: "metrics.listen", line: 2, saying: "a port that is not a number from 1 to 65535"),
        BadFile(text: "database: mysql://db/x\n", key: "database", line: 1, saying: "must be sqlite, sqlite:DIRECTORY or postgres://"),
        BadFile(text: "database: \"sqlite:\"\n", key: "database", line: 1, saying: "names no directory after sqlite:"),
        BadFile(text: "database: postgres://db:99999/x\n", key: "database", line: 1, saying: "a port that is not a number"),
        BadFile(text: "database: sqlite\ndatabase-password-file: /x\n", key: "database-password-file", line: 2, saying: "database is not a postgres:// URL"),
        BadFile(text: "data-dir: \"  \"\n", key: "data-dir", line: 1, saying: "must not be empty"),
        BadFile(text: "feeds:\n  operators: BUS-OPERATIONS\n", key: "feeds.operators", line: 2, saying: "must be a recipient officer|unit|agency|facility|duty|role:ID"),
        BadFile(text: "log:\n  level: info\npersons:\n  population: 50\n", key: "persons.population", line: 4, saying: "must be a whole number of people from 100"),
    ])
    func aBadValueIsNamedWithItsFileAndLine(_ bad: BadFile) throws {
        try expectRefused(bad)
    }

    @Test func aYAMLSyntaxErrorGivesTheLineButNotTheText() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = try #require(resolutionError(file: "kafka:\n  bootstrap: a:1\n  sasl: {username: \"\(distinctiveSecret)\n", in: scratch))
        guard case .malformedFile(let path, let line, _) = error else {
            Issue.record("expected a malformed file, got \(error)")
            return
        }
        #expect(path == scratch.path("reentrybus.yaml"))
        #expect(line != nil)
        #expect(error.description.contains("not valid YAML"))
        #expect(!error.description.contains(distinctiveSecret))
    }

    @Test func aMissingConfigurationFileIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = scratch.path("absent.yaml")
        let error = try #require(resolutionError(in: scratch, flags: { $0.configurationFile = missing }))
        #expect(error == .unreadableFile(path: missing, reason: "cannot be read (missing, or not readable by this user)"))
        #expect(error.description.contains(missing))
    }

    @Test func theTopLevelMustBeAMapping() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = try #require(resolutionError(file: "- kafka\n- log\n", in: scratch))
        #expect(error.file == scratch.path("reentrybus.yaml"))
        #expect(error.description.contains("the top level must be a mapping of settings"))
    }

    private func expectRefused(_ bad: BadFile, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = try #require(resolutionError(file: bad.text, in: scratch, sourceLocation: sourceLocation), sourceLocation: sourceLocation)
        let file = scratch.path("reentrybus.yaml")
        #expect(error.key == bad.key, sourceLocation: sourceLocation)
        #expect(error.file == file, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("\(file):\(bad.line): "), "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(bad.key), "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(bad.saying), "\(error)", sourceLocation: sourceLocation)
        #expect(!error.description.contains(distinctiveSecret), sourceLocation: sourceLocation)
        #expect(!error.description.contains(distinctiveNotificationKey), sourceLocation: sourceLocation)
    }
}
