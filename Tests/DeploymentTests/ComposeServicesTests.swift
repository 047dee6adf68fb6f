import Foundation
import Pipeline
import Settings
import Testing

/// What docker-compose.yml must say for the bus to run as designed, checked against the code
/// (the services `serve` knows, the variables the binary reads) and against itself (the brokers
/// the services are told about are the brokers the file starts).
@Suite("docker-compose.yml runs every service the way the binary expects")
struct ComposeServicesTests {
    /// Whether the compose service serves a consumer (every service but the scheduler).
    static func keepsState(_ service: ComposeFile.Service) -> Bool {
        service.command.count > 1 && ServiceName(rawValue: service.command[1])?.isConsumer == true
    }

    @Test("every service `reentrybus serve` knows runs as a compose service `serve <name>`")
    func everyServiceIsServed() throws {
        let compose = try loadCompose()
        #expect(DeploymentChecks.unservedServices(compose).isEmpty, "not in docker-compose.yml: \(DeploymentChecks.unservedServices(compose))")
        for name in ServiceName.allCases {
            #expect(compose.services(running: ["serve", name.rawValue]).map(\.name) == [name.rawValue])
        }
    }

    @Test("a file without one of the services is caught (the check can fail)")
    func missingServiceIsCaught() throws {
        var compose = try loadCompose()
        compose.services["warrant-resolver"] = nil
        #expect(DeploymentChecks.unservedServices(compose) == ["warrant-resolver"])
    }

    @Test("every REENTRYBUS_ variable the file sets is one the binary reads")
    func onlyAgreedVariables() throws {
        let compose = try loadCompose()
        #expect(DeploymentChecks.unknownVariables(compose, known: agreedEnvironmentVariables).isEmpty,
                "\(DeploymentChecks.unknownVariables(compose, known: agreedEnvironmentVariables))")
        let set = Set(compose.services.values.flatMap(\.environment.keys).filter { $0.hasPrefix(reentryBusVariablePrefix) })
        #expect(set.contains("REENTRYBUS_BOOTSTRAP") && set.contains("REENTRYBUS_METRICS_LISTEN"), "\(set.sorted())")
    }

    @Test("a variable the binary does not read is caught (the check can fail)")
    func unknownVariableIsCaught() throws {
        var compose = try loadCompose()
        compose.services["inbox"]?.environment["REENTRYBUS_BOOTSTRAP_SERVERS"] = "kafka-1:19092"
        #expect(DeploymentChecks.unknownVariables(compose, known: agreedEnvironmentVariables) == ["inbox: REENTRYBUS_BOOTSTRAP_SERVERS"])
    }

    @Test("keys and passwords come from compose secrets in deploy/secrets/, never from the file")
    func secretsFromFiles() throws {
        let compose = try loadCompose()
        #expect(DeploymentChecks.secretProblems(compose).isEmpty, "\(DeploymentChecks.secretProblems(compose))")
        for service in compose.services(running: ["serve"]) {
            // The consumers sign or verify notifications; the scheduler gets no key.
            let key = service.environment["REENTRYBUS_NOTIFICATION_KEY_FILE"]
            #expect(key == (Self.keepsState(service) ? "/run/secrets/notification_key" : nil), "\(service.name)")
            // Its own Kafka password (KafkaAccessTests: one user and one password per client).
            #expect(service.environment["REENTRYBUS_KAFKA_SASL_PASSWORD_FILE"]?.hasPrefix("/run/secrets/kafka_") == true, "\(service.name)")
        }
        let ignore = try readText(repositoryRoot.appendingPathComponent("deploy/secrets/.gitignore"))
        #expect(ignore.split(separator: "\n").contains("*"), "deploy/secrets/.gitignore must ignore every file but itself")
    }

    @Test(
        "deploy/make-secrets.sh writes every file the compose secrets read, never prints them, and keeps them on a second run",
        .enabled(if: ExternalTool.find("openssl") != nil, "openssl is not installed (the script makes the keys with it)"))
    func secretsScriptWritesEveryFile() async throws {
        let compose = try loadCompose()
        try await withCopyOfSecretsScript { root, script in
            let bash = URL(fileURLWithPath: "/bin/bash")

            let first = try await ExternalTool.run(bash, [script.path])
            #expect(first.status == 0, "\(first.output)")
            #expect(!compose.secretFiles.isEmpty)
            var contents: [String: String] = [:]
            for (secret, file) in compose.secretFiles {
                let written = root.appendingPathComponent(file)
                let text = try #require(FileManager.default.contents(atPath: written.path).map { String(decoding: $0, as: UTF8.self) },
                                        "the script does not write \(file), the file of the secret \(secret)")
                #expect(text.count >= 32, "\(file) is \(text.count) characters")
                #expect(!first.output.contains(text.trimmingCharacters(in: .whitespacesAndNewlines)), "the script printed \(file)")
                contents[file] = text
            }
            let second = try await ExternalTool.run(bash, [script.path])
            #expect(second.status == 0, "\(second.output)")
            for (file, text) in contents {
                #expect(try readText(root.appendingPathComponent(file)) == text, "a second run replaced \(file)")
            }
        }
    }

    @Test("an inline password or a secret the service does not mount is caught (the check can fail)")
    func secretMistakesAreCaught() throws {
        var compose = try loadCompose()
        compose.services["router"]?.environment["REENTRYBUS_KAFKA_SASL_PASSWORD"] = "hunter2"
        compose.services["inbox"]?.secrets.removeAll { $0 == "notification_key" }
        #expect(DeploymentChecks.secretProblems(compose) == [
            "inbox: REENTRYBUS_NOTIFICATION_KEY_FILE reads the secret notification_key, which the service does not mount",
            "router: REENTRYBUS_KAFKA_SASL_PASSWORD holds a secret in the file; use REENTRYBUS_KAFKA_SASL_PASSWORD_FILE and a compose secret",
        ])
    }

    @Test("each bus service restarts, waits for the topics job, and is healthy only when /health/ready answers on its metrics port")
    func serviceLifecycle() throws {
        let compose = try loadCompose()
        let topicsJobs = compose.services(running: ["topics", "apply"]).map(\.name)
        #expect(!topicsJobs.isEmpty)
        let served = compose.services(running: ["serve"])
        #expect(served.count == ServiceName.allCases.count)
        for service in served {
            #expect(["unless-stopped", "always", "on-failure"].contains(service.restart ?? ""), "\(service.name): restart \(service.restart ?? "none")")
            #expect(topicsJobs.contains { service.dependsOn[$0] == "service_completed_successfully" }, "\(service.name): \(service.dependsOn)")
            #expect(service.healthcheck.contains("http://127.0.0.1:9464/health/ready"), "\(service.name): \(service.healthcheck)")
            // The endpoint the healthcheck asks is the one the process serves.
            let listen = try #require(service.environment["REENTRYBUS_METRICS_LISTEN"], "\(service.name)")
            #expect(listen.hasSuffix(":9464"), "\(service.name): REENTRYBUS_METRICS_LISTEN \(listen)")
            // The scheduler keeps no state: no data directory, no database.
            guard Self.keepsState(service) else { continue }
            #expect(service.volumes.contains { $0.hasSuffix(":\(service.environment["REENTRYBUS_DATA_DIR"] ?? "?")") },
                    "\(service.name): its data directory is not on a volume: \(service.volumes)")
        }
    }

    @Test("the topics job runs once, after every broker is healthy, against the brokers the services use")
    func topicsJob() throws {
        let compose = try loadCompose()
        let job = try #require(compose.services(running: ["topics", "apply", "--bootstrap"]).first, "no `topics apply --bootstrap` job")
        #expect(job.restart == "no")
        let brokers = compose.kafkaBrokers.map(\.name)
        #expect(!brokers.isEmpty)
        for broker in brokers { #expect(job.dependsOn[broker] == "service_healthy", "\(broker): \(job.dependsOn)") }
        let bootstrap = try #require(job.command.dropFirst(3).first, "`topics apply --bootstrap` without servers")
        for service in compose.services(running: ["serve"]) {
            #expect(service.environment["REENTRYBUS_BOOTSTRAP"] == bootstrap, "\(service.name)")
        }
    }

    @Test("the Kafka cluster: KRaft voters are the brokers, bootstrap names their listener, replication fits the brokers")
    func kafkaCluster() throws {
        let compose = try loadCompose()
        let brokers = compose.kafkaBrokers
        let count = brokers.count
        #expect(count == 1 || count >= 3, "a KRaft quorum needs one or at least three voters, not \(count)")
        var voters: [String] = []
        for broker in brokers {
            let environment = broker.environment
            #expect(!broker.healthcheck.isEmpty, "\(broker.name): no healthcheck")
            #expect(broker.volumes.contains { $0.hasSuffix(":\(environment["KAFKA_LOG_DIRS"] ?? "?")") }, "\(broker.name): log dirs not on a volume")
            #expect(environment["KAFKA_PROCESS_ROLES"]?.contains("controller") == true, "\(broker.name)")
            #expect(environment["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "\(broker.name): topics come from the contracts")
            voters.append("\(environment["KAFKA_NODE_ID"] ?? "?")@\(broker.name):9093")
            for setting in ["KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] {
                let factor = try #require(environment[setting].flatMap { Int($0) }, "\(broker.name): \(setting)")
                #expect(factor <= count, "\(broker.name): \(setting) \(factor) with \(count) broker(s)")
            }
            let factor = Int(environment["KAFKA_DEFAULT_REPLICATION_FACTOR"] ?? "") ?? 0
            let minimum = Int(environment["KAFKA_MIN_INSYNC_REPLICAS"] ?? "") ?? 0
            #expect(count == 1 || minimum < factor, "\(broker.name): with min ISR \(minimum) of \(factor), one broker down stops every acks=all write")
        }
        for broker in brokers {
            #expect(Set(broker.environment["KAFKA_CONTROLLER_QUORUM_VOTERS"]?.split(separator: ",").map(String.init) ?? []) == Set(voters),
                    "\(broker.name): voters \(broker.environment["KAFKA_CONTROLLER_QUORUM_VOTERS"] ?? "none"), brokers \(voters)")
        }
        let router = try #require(compose.services(running: ["serve", "router"]).first)
        for address in (router.environment["REENTRYBUS_BOOTSTRAP"] ?? "").split(separator: ",") {
            let parts = address.split(separator: ":")
            let broker = try #require(brokers.first { $0.name == String(parts[0]) }, "bootstrap \(address) is not a broker of the file")
            #expect(broker.environment["KAFKA_ADVERTISED_LISTENERS"]?.contains("//\(address)") == true, "\(address) is not an advertised listener")
        }
    }

    @Test("PostgreSQL 15 keeps its data on a volume and has a healthcheck")
    func postgres() throws {
        let compose = try loadCompose()
        let postgres = try #require(compose.services(image: "postgres:15").first, "no postgres:15 service")
        #expect(postgres.volumes.contains { $0.hasSuffix(":/var/lib/postgresql/data") }, "\(postgres.volumes)")
        #expect(postgres.healthcheck.contains("pg_isready"), "\(postgres.healthcheck)")
        #expect(postgres.environment["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password")
    }

    @Test("each bus service keeps its state in that PostgreSQL, with its password from the secret, once it is healthy")
    func servicesUsePostgres() throws {
        let compose = try loadCompose()
        let postgres = try #require(compose.services(image: "postgres:15").first)
        let served = compose.services(running: ["serve"])
        #expect(served.count == ServiceName.allCases.count)
        for service in served where Self.keepsState(service) {
            let database = try DatabaseChoice(parsing: try #require(service.environment["REENTRYBUS_DATABASE"], "\(service.name)"))
            #expect(database.postgresURL?.host == postgres.name, "\(service.name): \(database)")
            #expect(service.environment["REENTRYBUS_DATABASE_PASSWORD_FILE"] == "/run/secrets/postgres_password", "\(service.name)")
            #expect(service.dependsOn[postgres.name] == "service_healthy", "\(service.name): \(service.dependsOn)")
        }
    }
}
