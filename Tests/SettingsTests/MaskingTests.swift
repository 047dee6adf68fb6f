import Settings
import Foundation
import Kafka
import Testing

/// Secrets never printed: not in the effective configuration, not in errors, not through
/// reflection. Each test plants a distinctive secret and searches every printed form for it.
@Suite("Secrets are masked") struct MaskingTests {
    @Test func theEffectiveConfigurationNeverShowsASecret() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let keyPassword = try scratch.write("key-password", distinctiveSecret)
        let certificate = try scratch.write("client.pem", "-----BEGIN CERTIFICATE-----\n")
        let key = try scratch.write("client.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
        let configuration = try resolve(
            file: "kafka:\n  security-protocol: sasl_ssl\n  sasl:\n    mechanism: PLAIN\n    username: router\n", in: scratch,
            environment: [
                "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret,
                "REENTRYBUS_KAFKA_TLS_CERT_FILE": certificate, "REENTRYBUS_KAFKA_TLS_KEY_FILE": key,
                "REENTRYBUS_KAFKA_TLS_KEY_PASSWORD_FILE": keyPassword,
                "REENTRYBUS_NOTIFICATION_KEY": distinctiveNotificationKey,
                "REENTRYBUS_DATABASE": "postgres://reentrybus:\(distinctiveSecret)@db/readmodels?password=\(distinctiveSecret)&sslmode=require",
            ])
        var dumped = ""
        dump(configuration, to: &dumped)
        let printedForms = [
            configuration.report, "\(configuration)", String(reflecting: configuration), dumped,
            "\(configuration.security)", "\(configuration.database)", "\(configuration.notificationKey as Any)",
            configuration.settings.map { "\($0)" }.joined(),
        ]
        for printed in printedForms {
            #expect(!printed.contains(distinctiveSecret), "\(printed)")
            #expect(!printed.contains(distinctiveNotificationKey), "\(printed)")
        }
        #expect(configuration.printedValue(of: .saslPassword) == "********")
        #expect(configuration.printedValue(of: .notificationKey)?.hasPrefix("******** (id ") == true)
        #expect(configuration.printedValue(of: .tlsKeyPasswordFile) == keyPassword)
        #expect(configuration.printedValue(of: .database) == "postgres://reentrybus:********@db/readmodels?password=********&sslmode=require")
        #expect(configuration.report.contains("kafka.sasl.password: ********"))
        #expect(configuration.report.contains("# environment REENTRYBUS_KAFKA_SASL_PASSWORD"))
    }

    struct Leak: Sendable, CustomTestStringConvertible {
        var environment: [String: String]
        var file: String? = nil
        var key: String
        var testDescription: String { key }
    }

    /// A secret put where it is refused, or in the wrong place, never comes back in the error.
    @Test(arguments: [
        Leak(environment: ["REENTRYBUS_DATABASE": "mysql://u:\(distinctiveSecret)@db/x"], key: "database"),
        Leak(environment: ["REENTRYBUS_DATABASE": "postgres://u:\(distinctiveSecret)@db:70000/x"], key: "database"),
        Leak(environment: [:], file: "database: postgres://u:\(distinctiveSecret)@db/x\n", key: "database"),
        Leak(environment: ["REENTRYBUS_NOTIFICATION_KEY": distinctiveSecret], key: "notification-key"),
        Leak(environment: ["REENTRYBUS_NOTIFICATION_KEY": "abcd" + distinctiveNotificationKey.prefix(20)], key: "notification-key"),
        Leak(environment: ["REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret], key: "kafka.sasl.password"),
        Leak(environment: ["REENTRYBUS_BOOTSTRAP": distinctiveSecret], key: "kafka.bootstrap"),
        Leak(environment: ["REENTRYBUS_LOG_LEVEL": distinctiveSecret], key: "log.level"),
        Leak(environment: ["REENTRYBUS_KAFKA_SECURITY_PROTOCOL": distinctiveSecret], key: "kafka.security-protocol"),
        Leak(environment: [:], file: "kafka:\n  sasl:\n    password: \(distinctiveSecret)\n", key: "kafka.sasl.password"),
        Leak(environment: [:], file: "kafka:\n  security-protocol: sasl_ssl\n  sasl:\n    mechanism: \(distinctiveSecret)\n", key: "kafka.sasl.mechanism"),
    ])
    func anErrorNeverShowsTheSecret(_ leak: Leak) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = try #require(resolutionError(file: leak.file, in: scratch, environment: leak.environment))
        #expect(error.key == leak.key, "\(error)")
        for printed in ["\(error)", String(reflecting: error)] {
            #expect(!printed.contains(distinctiveSecret), "\(printed)")
            #expect(!printed.contains(distinctiveNotificationKey.prefix(20)), "\(printed)")
        }
    }

    @Test func aSecretPrintsMaskedEverywhere() {
        let secret = Secret(distinctiveSecret)
        var dumped = ""
        dump(secret, to: &dumped)
        for printed in ["\(secret)", String(reflecting: secret), dumped, "\([secret])", "\(Optional(secret) as Any)"] {
            #expect(!printed.contains(distinctiveSecret), "\(printed)")
        }
        #expect(secret.revealed == distinctiveSecret)
    }

    @Test func aDatabaseURLIsValidatedAndMasked() throws {
        let url = try DatabaseURL("postgresql://reentrybus:p%40ss-\(distinctiveSecret)@db.agency.example:5433/readmodels?sslmode=verify-full")
        #expect(url.host == "db.agency.example")
        #expect(url.port == 5433)
        #expect(url.user == "reentrybus")
        #expect(url.database == "readmodels")
        #expect(url.hasPassword)
        #expect(url.description == "postgresql://reentrybus:********@db.agency.example:5433/readmodels?sslmode=verify-full")
        #expect(url.connectionString.revealed.contains(distinctiveSecret))
        let withoutPassword = try DatabaseURL("postgres://reentrybus@db/readmodels")
        #expect(!withoutPassword.hasPassword)
        #expect(withoutPassword.description == "postgres://reentrybus@db/readmodels")
        #expect(throws: DatabaseURLError.noHost) { try DatabaseURL("postgres:///readmodels") }
        #expect(throws: DatabaseURLError.notPostgres) { try DatabaseURL("https://db/readmodels") }
    }
}
