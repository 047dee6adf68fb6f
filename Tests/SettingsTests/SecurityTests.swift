import Settings
import Foundation
import ServiceKit
import Testing

@testable import Kafka
@testable import Pipeline

/// Kafka TLS and SASL: what each protocol needs, what contradicts it, and that the settings
/// reach every client the application builds.
@Suite("Kafka security settings") struct SecurityTests {
    @Test(arguments: [("PLAIN", KafkaSecurity.SASL.Mechanism.plain), ("SCRAM-SHA-256", .scramSHA256), ("scram-sha-512", .scramSHA512)])
    func saslOverPlaintextTakesEachMechanism(_ text: String, _ mechanism: KafkaSecurity.SASL.Mechanism) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let configuration = try resolve(in: scratch, environment: [
            "REENTRYBUS_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "REENTRYBUS_KAFKA_SASL_MECHANISM": text,
            "REENTRYBUS_KAFKA_SASL_USERNAME": "reentrybus-inbox", "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret,
        ])
        guard case .sasl(let sasl, .none) = configuration.security else {
            Issue.record("expected SASL over plaintext, got \(configuration.security)")
            return
        }
        #expect(sasl.mechanism == mechanism)
        #expect(sasl.username == "reentrybus-inbox")
        #expect(sasl.password == distinctiveSecret)
        let properties = configuration.kafkaClient(clientID: "c").rdKafkaProperties
        #expect(properties["security.protocol"] == "sasl_plaintext")
        #expect(properties["sasl.mechanisms"] == mechanism.rawValue)
        #expect(properties["sasl.password"] == distinctiveSecret)
    }

    @Test func tlsWithACertificateAuthorityOnly() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let ca = try scratch.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let configuration = try resolve(file: "kafka:\n  security-protocol: ssl\n  tls:\n    ca-file: \(ca)\n", in: scratch)
        let properties = configuration.kafkaClient(clientID: "c").rdKafkaProperties
        #expect(properties["security.protocol"] == "ssl")
        #expect(properties["ssl.ca.location"] == ca)
        #expect(properties["ssl.endpoint.identification.algorithm"] == "https")
        #expect(properties["ssl.certificate.location"] == nil)
    }

    @Test func saslWithoutAPasswordNamesTheSecretAndTheFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let error = try #require(resolutionError(
            file: "kafka:\n  security-protocol: sasl_ssl\n  sasl:\n    mechanism: SCRAM-SHA-512\n    username: router\n", in: scratch))
        let file = scratch.path("reentrybus.yaml")
        #expect(error == .missingSecret(key: .saslPassword, requiredBy: "kafka.security-protocol sasl_ssl", requiredBySource: .file(path: file, line: 2), file: file))
        #expect(error.key == "kafka.sasl.password")
        #expect(error.file == file)
        #expect(error.description == """
            \(file):2: kafka.security-protocol sasl_ssl: needs the secret kafka.sasl.password, which is not set; \
            set REENTRYBUS_KAFKA_SASL_PASSWORD or REENTRYBUS_KAFKA_SASL_PASSWORD_FILE, or kafka.sasl.password-file in \(file)
            """)
    }

    @Test func saslWithoutAMechanismOrUserIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let noMechanism = try #require(resolutionError(in: scratch, environment: [
            "REENTRYBUS_KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "REENTRYBUS_KAFKA_SASL_USERNAME": "u", "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret,
        ]))
        #expect(noMechanism.key == "kafka.sasl.mechanism")
        #expect(noMechanism.description.contains("set REENTRYBUS_KAFKA_SASL_MECHANISM"))
        let noUser = try #require(resolutionError(in: scratch, environment: [
            "REENTRYBUS_KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "REENTRYBUS_KAFKA_SASL_MECHANISM": "PLAIN", "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret,
        ]))
        #expect(noUser.key == "kafka.sasl.username")
        #expect(!noUser.description.contains(distinctiveSecret))
    }

    /// SASL or TLS settings under a protocol that does not use them are a mistake, not ignored.
    @Test func settingsTheProtocolDoesNotUseAreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let sasl = try #require(resolutionError(file: "kafka:\n  sasl:\n    username: router\n", in: scratch))
        #expect(sasl.key == "kafka.sasl.username")
        #expect(sasl.description.contains("\(scratch.path("reentrybus.yaml")):3: kafka.sasl.username: is set, but kafka.security-protocol is plaintext (default)"))
        let ca = try scratch.write("ca.pem", "x")
        let tls = try #require(resolutionError(
            file: "kafka:\n  security-protocol: sasl_plaintext\n  tls:\n    ca-file: \(ca)\n", in: scratch,
            environment: ["REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret]))
        #expect(tls.key == "kafka.tls.ca-file")
        #expect(tls.description.contains("is set, but kafka.security-protocol is sasl_plaintext (\(scratch.path("reentrybus.yaml")):2): TLS settings need ssl or sasl_ssl"))
        let password = try #require(resolutionError(in: scratch, environment: ["REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret]))
        #expect(password.description == "kafka.sasl.password (environment REENTRYBUS_KAFKA_SASL_PASSWORD): is set, but kafka.security-protocol is plaintext (default): SASL settings need sasl_plaintext or sasl_ssl")
    }

    @Test func aClientCertificateNeedsItsKeyAndAnEncryptedKeyItsPassword() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let certificate = try scratch.write("client.pem", "-----BEGIN CERTIFICATE-----\n")
        let encryptedKey = try scratch.write("client.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n")
        let onlyCertificate = try #require(resolutionError(file: "kafka:\n  security-protocol: ssl\n  tls:\n    cert-file: \(certificate)\n", in: scratch))
        #expect(onlyCertificate.key == "kafka.tls.key-file")
        #expect(onlyCertificate.file == scratch.path("reentrybus.yaml"))

        let noPassword = try #require(resolutionError(
            file: "kafka:\n  security-protocol: ssl\n  tls:\n    cert-file: \(certificate)\n    key-file: \(encryptedKey)\n", in: scratch))
        #expect(noPassword.key == "kafka.tls.key-password-file")
        #expect(noPassword.description.contains("\(scratch.path("reentrybus.yaml")):5: kafka.tls.key-file (an encrypted key): needs the secret kafka.tls.key-password-file"))
        #expect(noPassword.description.contains("REENTRYBUS_KAFKA_TLS_KEY_PASSWORD_FILE"))
    }

    @Test func aFileASettingNamesMustBeReadable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = scratch.path("absent.pem")
        let ca = try #require(resolutionError(in: scratch, environment: ["REENTRYBUS_KAFKA_SECURITY_PROTOCOL": "ssl", "REENTRYBUS_KAFKA_TLS_CA_FILE": missing]))
        #expect(ca == .unreadableReferencedFile(
            key: .tlsCAFile, source: .environment("REENTRYBUS_KAFKA_TLS_CA_FILE"), path: missing,
            reason: "cannot be read (missing, a directory, or not readable by this user)"))
        let empty = try scratch.write("empty-password", "\n")
        let password = try #require(resolutionError(in: scratch, environment: [
            "REENTRYBUS_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "REENTRYBUS_KAFKA_SASL_MECHANISM": "PLAIN",
            "REENTRYBUS_KAFKA_SASL_USERNAME": "u", "REENTRYBUS_KAFKA_SASL_PASSWORD_FILE": empty,
        ]))
        #expect(password.description == "kafka.sasl.password-file (environment REENTRYBUS_KAFKA_SASL_PASSWORD_FILE): \(empty): is empty")
    }

    /// Every client of a service built by `buildApplication` carries the security settings.
    @Test func theSecuritySettingsReachEveryServiceClient() throws {
        let security = KafkaSecurity.sasl(.init(mechanism: .scramSHA256, username: "reentrybus-router", password: distinctiveSecret), tls: .init())
        let configuration = ApplicationConfiguration(
            broker: .external(bootstrapServers: ["kafka:9093"]), dataDirectory: URL(fileURLWithPath: "/nonexistent"), services: [],
            catalog: nil, topics: .init(createContractTopics: false), client: .init(security: security))
        let factory = ServiceFactory(configuration: configuration, bootstrapServers: ["kafka:9093"], embedded: false)
        for name in ServiceName.allCases {
            let service = factory.serviceConfiguration(name)
            for client in [service.consumer.client, service.producer.client] {
                #expect(client.rdKafkaProperties["security.protocol"] == "sasl_ssl")
                #expect(client.rdKafkaProperties["sasl.mechanisms"] == "SCRAM-SHA-256")
                #expect(client.rdKafkaProperties["sasl.username"] == "reentrybus-router")
                #expect(client.rdKafkaProperties["sasl.password"] == distinctiveSecret)
            }
        }
    }
}
