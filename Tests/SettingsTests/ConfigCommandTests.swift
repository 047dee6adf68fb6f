import Foundation
import TestSupport
import Testing

/// `reentrybus config check` and the configuration of `serve` and `topics apply`, through the
/// built binary, with an environment of the test's own (`env -i`).
@Suite("Configuration on the command line") struct ConfigCommandTests {
    private func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (ChildProcess.Termination, ChildProcess) {
        let binary = try #require(BuildProducts.executable("reentrybus"), "build with `swift build --build-tests`")
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["-i"] + variables + [binary.path] + arguments, name: "reentrybus")
        let termination = try await within(.seconds(60), "reentrybus \(arguments.prefix(2).joined(separator: " ")) to end") { await process.waitForExit() }
        return (termination, process)
    }

    @Test func checkPrintsTheEffectiveConfigurationWithSecretsMasked() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("reentrybus.yaml", """
            kafka:
              bootstrap: file-kafka:9092
              security-protocol: sasl_plaintext
              sasl:
                mechanism: SCRAM-SHA-512
                username: reentrybus-router
            log:
              format: json
            """)
        let (termination, process) = try await run(["config", "check", file], environment: [
            "REENTRYBUS_BOOTSTRAP": "env-kafka:9093", "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret,
            "REENTRYBUS_NOTIFICATION_KEY": distinctiveNotificationKey, "REENTRYBUS_BOOSTRAP": "typo:1",
        ])
        let output = process.output.value
        #expect(termination == .init(status: 0, bySignal: false), "\(process.errors.value)")
        #expect(output.contains("# configuration file: \(file)"))
        #expect(output.range(of: #"kafka\.bootstrap: env-kafka:9093 +# environment REENTRYBUS_BOOTSTRAP"#, options: .regularExpression) != nil, "\(output)")
        #expect(output.range(of: "kafka\\.sasl\\.mechanism: SCRAM-SHA-512 +# \(file):5", options: .regularExpression) != nil, "\(output)")
        #expect(output.range(of: #"kafka\.sasl\.password: \*{8} +# environment REENTRYBUS_KAFKA_SASL_PASSWORD"#, options: .regularExpression) != nil, "\(output)")
        #expect(output.range(of: #"kafka\.connect-timeout: 30 +# default"#, options: .regularExpression) != nil, "\(output)")
        #expect(output.contains("log.format: json"))
        #expect(output.contains("ok: \(file) is valid"))
        #expect(process.errors.value.contains("warning: REENTRYBUS_BOOSTRAP is not a setting reentrybus reads"))
        for text in [output, process.errors.value] {
            #expect(!text.contains(distinctiveSecret))
            #expect(!text.contains(distinctiveNotificationKey))
        }
    }

    @Test func checkRefusesAnUnknownKeyNamingTheFileAndLine() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("reentrybus.yaml", "kafka:\n  group-prefix: agency\n  bootsrap: kafka:9092\n")
        let (termination, process) = try await run(["config", "check", file])
        #expect(termination == .init(status: 1, bySignal: false))
        #expect(process.errors.value.contains("\(file):3: unknown key kafka.bootsrap; allowed under kafka: bootstrap, connect-timeout"), "\(process.errors.value)")
        #expect(process.output.value.isEmpty)
    }

    @Test func checkRefusesAMissingSecretNamingItAndTheFile() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("reentrybus.yaml", "kafka:\n  security-protocol: sasl_plaintext\n  sasl:\n    mechanism: PLAIN\n    username: u\n")
        let (termination, process) = try await run(["config", "check", file])
        #expect(termination == .init(status: 1, bySignal: false))
        #expect(process.errors.value.contains("\(file):2: kafka.security-protocol sasl_plaintext: needs the secret kafka.sasl.password"), "\(process.errors.value)")
        #expect(process.errors.value.contains("kafka.sasl.password-file in \(file)"))
        #expect(process.output.value.isEmpty)
    }

    /// `serve` refuses a bad configuration before anything starts: no database, no connection.
    @Test func serveWithABadConfigurationStartsNothing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("reentrybus.yaml", "kafka:\n  session-timeout: [6]\n")
        let dataDirectory = scratch.path("data")
        let (termination, process) = try await run(
            ["serve", "router", "--data-dir", dataDirectory],
            environment: ["REENTRYBUS_CONFIG": file, "REENTRYBUS_NOTIFICATION_KEY": distinctiveNotificationKey])
        #expect(termination == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("\(file):2: kafka.session-timeout: expected a single value, found a list"), "\(process.errors.value)")
        // Status 64 is the refusal itself: a start that went on would have tried the default
        // broker and ended with status 1; and no database was opened.
        #expect(!FileManager.default.fileExists(atPath: dataDirectory))
        #expect(!process.errors.value.contains(distinctiveNotificationKey))
    }

    @Test func topicsApplyTakesTheConfigurationToo() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("reentrybus.yaml", "kafka:\n  security-protocol: ssl\n  tls:\n    ca-file: \(scratch.path("absent-ca.pem"))\n")
        let (termination, process) = try await run(["topics", "apply", "--config", file])
        #expect(termination == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("\(file):4: kafka.tls.ca-file: \(scratch.path("absent-ca.pem")): cannot be read"), "\(process.errors.value)")
    }

    /// `publish` reads the same configuration: a setting it cannot use stops it, named with the
    /// file and line, before it reads the broker.
    @Test func publishTakesTheConfigurationToo() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.write("reentrybus.yaml", "kafka:\n  security-protocol: ssl\n  tls:\n    ca-file: \(scratch.path("absent-ca.pem"))\n")
        let events = try scratch.write("events.ndjson", "")
        let (termination, process) = try await run(["publish", "--topic", "police.arrests", events, "--config", file])
        #expect(termination == .init(status: 64, bySignal: false), "\(process.errors.value)")
        #expect(process.errors.value.contains("\(file):4: kafka.tls.ca-file: \(scratch.path("absent-ca.pem")): cannot be read"), "\(process.errors.value)")
    }

    /// `serve` with JSON logs and SASL credentials, against an address where no broker listens:
    /// every log line is one JSON object, and neither the password nor the key appears.
    @Test func serveLogsJSONLinesThatCarryNoSecret() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let address = "127.0.0.1:\(try unusedLocalPort())"
        let (termination, process) = try await run(
            ["serve", "inbox", "--connect-timeout", "1", "--data-dir", scratch.path("data")],
            environment: [
                "REENTRYBUS_BOOTSTRAP": address, "REENTRYBUS_LOG_FORMAT": "json", "REENTRYBUS_LOG_LEVEL": "trace",
                "REENTRYBUS_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "REENTRYBUS_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
                "REENTRYBUS_KAFKA_SASL_USERNAME": "reentrybus-inbox", "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret,
                "REENTRYBUS_NOTIFICATION_KEY": distinctiveNotificationKey,
            ])
        #expect(termination == .init(status: 1, bySignal: false), "\(process.errors.value)")
        let lines = process.errors.value.split(separator: "\n").map(String.init)
        let logLines = lines.filter { !$0.hasPrefix("Error: ") }
        #expect(logLines.count >= 2, "\(process.errors.value)")
        for line in logLines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["label"] is String && object?["message"] is String && object?["metadata"] is [String: Any], "\(line)")
        }
        #expect(logLines.contains { $0.contains("\"message\":\"Configuration\"") && $0.contains("SASL SCRAM-SHA-256 over plaintext") })
        #expect(lines.contains { $0.hasPrefix("Error: ") && $0.contains("no Kafka broker answered at \(address) within 1 s") }, "\(process.errors.value)")
        #expect(!process.errors.value.contains(distinctiveSecret))
        #expect(!process.errors.value.contains(distinctiveNotificationKey))
        #expect(!process.output.value.contains(distinctiveSecret))
    }
}
