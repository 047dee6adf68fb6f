import Foundation
import Settings
import Testing

/// A command that uses only some settings (`dev` and `broker` run their own embedded broker):
/// it reads those as `serve` does, is not stopped by the others, and says which it ignores,
/// while a file that is not a configuration file still stops it.
@Suite("Configuration of a command that uses some settings") struct UsedKeysTests {
    static let embeddedBrokerKeys: Set<ConfigurationKey> = [.logLevel, .logFormat, .metricsListen, .shutdownDeadline]

    /// A file written for `serve` against a SASL cluster, whose password is not in this
    /// environment: `serve` cannot start with it, `dev` can.
    static let serveFile = """
        kafka:
          bootstrap: kafka-1:19092
          security-protocol: sasl_ssl
          sasl:
            mechanism: SCRAM-SHA-512
            username: reentrybus-router
        data-dir: /var/lib/reentrybus
        log:
          level: warning
        metrics:
          listen: 127.0.0.1:9470
        shutdown-deadline: 12
        """

    @Test func theUsedSettingsAreReadByTheUsualPrecedence() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let configuration = try BusConfiguration(
            flags: flags(file: try scratch.write("serve.yaml", Self.serveFile)) { $0.set(.shutdownDeadline, 3, flag: "--shutdown-deadline") },
            environment: ["REENTRYBUS_LOG_FORMAT": "json"], keys: Self.embeddedBrokerKeys)
        #expect(configuration.logLevel == .warning)
        #expect(configuration.logFormat == .json)
        #expect(configuration.metricsListen == ListenAddress(host: "127.0.0.1", port: 9470))
        #expect(configuration.shutdownDeadline == .seconds(3))
        #expect(configuration.source(of: .shutdownDeadline) == .flag("--shutdown-deadline"))
    }

    @Test func settingsItDoesNotUseCannotStopItAndAreNamedWithoutTheirValues() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("serve.yaml", Self.serveFile)
        let environment = ["REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret, "REENTRYBUS_SESSION_TIMEOUT": "not a number"]

        #expect(throws: ConfigurationError.self, "serve uses every setting: the bad session timeout stops it") {
            _ = try BusConfiguration(flags: flags(file: file), environment: environment)
        }
        let configuration = try BusConfiguration(flags: flags(file: file), environment: environment, keys: Self.embeddedBrokerKeys)
        guard case .plaintext = configuration.security else {
            Issue.record("the security settings were resolved: \(configuration.security)")
            return
        }
        #expect(configuration.bootstrapServers == BusConfiguration.Defaults.bootstrapServers)
        #expect(configuration.unusedSettings.map(\.key) == [
            .bootstrap, .sessionTimeout, .securityProtocol, .saslMechanism, .saslUsername, .saslPassword, .dataDirectory,
        ])
        #expect(configuration.unusedSettings.first { $0.key == .saslPassword }?.description
                == "kafka.sasl.password (environment REENTRYBUS_KAFKA_SASL_PASSWORD)")
        #expect(configuration.unusedSettings.first { $0.key == .dataDirectory }?.source == .file(path: file, line: 7))
        #expect(!"\(configuration.unusedSettings)".contains(distinctiveSecret))
    }

    @Test func anUnknownKeyStillStopsItNamingTheKeyAndTheFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("dev.yaml", "log:\n  level: info\nkafka:\n  bootstrapp: localhost:9092\n")
        let error = #expect(throws: ConfigurationError.self) {
            _ = try BusConfiguration(flags: flags(file: file), environment: [:], keys: Self.embeddedBrokerKeys)
        }
        #expect(error?.key == "kafka.bootstrapp")
        #expect(error?.file == file)
        #expect(error?.description.hasPrefix("\(file):4: unknown key kafka.bootstrapp") == true, "\(String(describing: error))")
    }

    private func flags(file: String, _ set: (inout ConfigurationFlags) -> Void = { _ in }) -> ConfigurationFlags {
        var flags = ConfigurationFlags(configurationFile: file)
        set(&flags)
        return flags
    }
}
