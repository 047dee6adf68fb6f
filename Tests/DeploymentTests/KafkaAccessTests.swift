import Contracts
import Foundation
import Pipeline
import Testing

let aclsURL = repositoryRoot.appendingPathComponent("deploy/kafka/acls.conf")
let applyACLsURL = repositoryRoot.appendingPathComponent("deploy/kafka/apply-acls.sh")

func loadGrants(_ text: String? = nil) throws -> KafkaGrantFile {
    try KafkaGrantFile(text: text ?? readText(aclsURL), file: "deploy/kafka/acls.conf")
}

/// Who may do what on the compose file's Kafka cluster: each client its own user and password,
/// an authorizer that refuses what no ACL allows, and ACLs that grant each client exactly what
/// its code does (checked against the code, not against a list in the test).
@Suite("docker-compose.yml: one Kafka user per client, and ACLs that fit the code")
struct KafkaAccessTests {
    /// The Kafka clients of the file: the bus services, the topics job and the tools.
    static func clients(_ compose: ComposeFile) -> [ComposeFile.Service] {
        compose.services(running: ["serve"]) + compose.services(running: ["topics", "apply"]) + compose.tools
    }

    static let catalog: TopicCatalog = try! TopicCatalog.load(from: repositoryRoot.appendingPathComponent("Topics", isDirectory: true))

    /// What each user of the file needs, from the code: `user → permissions`.
    static func needed(_ compose: ComposeFile) throws -> [String: Set<KafkaPermission>] {
        var needed: [String: Set<KafkaPermission>] = [:]
        for name in ServiceName.allCases {
            let service = try #require(compose.services(running: ["serve", name.rawValue]).first, "\(name) is not served")
            let user = try #require(service.environment["REENTRYBUS_KAFKA_SASL_USERNAME"], "\(service.name) has no Kafka user")
            let prefix = service.environment["REENTRYBUS_GROUP_PREFIX"] ?? "reentrybus"
            needed[user, default: []].formUnion(try KafkaNeeds.service(name, groupPrefix: prefix, catalog: catalog))
        }
        for job in compose.services(running: ["topics", "apply"]) {
            let user = try #require(job.environment["REENTRYBUS_KAFKA_SASL_USERNAME"], "\(job.name) has no Kafka user")
            needed[user, default: []].formUnion(KafkaNeeds.topicsJob(catalog: catalog))
        }
        for tool in compose.tools {
            let user = try #require(tool.environment["REENTRYBUS_KAFKA_SASL_USERNAME"], "\(tool.name) has no Kafka user")
            let needs = try #require(KafkaNeeds.tool(tool.name), "\(tool.name): a tool whose commands KafkaNeeds.tool does not know")
            needed[user, default: []].formUnion(needs)
        }
        return needed
    }

    @Test("each Kafka client logs in as its own user, with a password file no other client reads")
    func oneUserAndPasswordPerClient() throws {
        let compose = try loadCompose()
        let clients = Self.clients(compose)
        #expect(clients.count == ServiceName.allCases.count + 1 + 2, "\(clients.map(\.name))")  // + the topics job, operator and reviewer
        var users: [String: String] = [:]
        var passwordFiles: [String: String] = [:]
        let superUsers = try Self.superUsers(compose)
        for client in clients {
            #expect(client.environment["REENTRYBUS_KAFKA_SECURITY_PROTOCOL"]?.hasPrefix("sasl_") == true, "\(client.name)")
            let user = try #require(client.environment["REENTRYBUS_KAFKA_SASL_USERNAME"], "\(client.name) has no Kafka user")
            #expect(users.updateValue(client.name, forKey: user) == nil, "\(client.name) shares the user \(user)")
            #expect(!superUsers.contains("User:\(user)"), "\(client.name) logs in as a super user")
            let path = try #require(client.environment["REENTRYBUS_KAFKA_SASL_PASSWORD_FILE"], "\(client.name) has no password file")
            #expect(path.hasPrefix("/run/secrets/"), "\(client.name): \(path)")
            let secret = String(path.dropFirst("/run/secrets/".count))
            #expect(client.secrets.contains(secret), "\(client.name) does not mount \(secret)")
            let file = try #require(compose.secretFiles[secret], "the secret \(secret) is not declared")
            #expect(passwordFiles.updateValue(client.name, forKey: file) == nil, "\(client.name) shares the password file \(file)")
            for other in clients where other.name != client.name {
                #expect(!other.secrets.contains(secret), "\(other.name) mounts \(client.name)'s password \(secret)")
            }
        }
    }

    @Test("the ACLs grant each service exactly what its code reads and writes, and the topics job what `topics apply` does")
    func grantsFitTheCode() throws {
        let compose = try loadCompose()
        let needed = try Self.needed(compose)
        let problems = KafkaNeeds.problems(granted: try loadGrants().permissions, needed: needed)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // The grants are not vacuous: the router reads its projection's topics.
        let router = try #require(compose.services(running: ["serve", "router"]).first?.environment["REENTRYBUS_KAFKA_SASL_USERNAME"])
        #expect(needed[router]?.contains(KafkaPermission(operation: "Read", resource: "topic:police.arrests")) == true)
        #expect(needed[router]?.contains(KafkaPermission(operation: "Write", resource: "topic:bus.notifications")) == true)
    }

    @Test("a grant missing or too many, or a user no client has, is caught (the check can fail)")
    func grantMistakesAreCaught() throws {
        let compose = try loadCompose()
        var text = try readText(aclsURL)
        text = text.replacingOccurrences(of: "topic:supervision.cases topic:police.arrests topic:records.sealing topic:bus.subscriptions group:reentrybus.router", with: "topic:supervision.cases topic:records.sealing topic:bus.subscriptions group:reentrybus.router")
        text = text.replacingOccurrences(of: "reentrybus-reviewer  Write,Describe  topic:bus.person-decisions", with: "reentrybus-reviewer  Describe  topic:bus.person-decisions")
        text += "reentrybus-scheduler  Write  topic:bus.notifications\nreentrybus  Read  topic:police.arrests\n"
        let problems = KafkaNeeds.problems(granted: try loadGrants(text).permissions, needed: try Self.needed(compose))
        #expect(problems == [
            "reentrybus-reviewer: needs Write on topic:bus.person-decisions, not granted",
            "reentrybus-router: needs Describe on topic:police.arrests, not granted",
            "reentrybus-router: needs Read on topic:police.arrests, not granted",
            "reentrybus-scheduler: granted Write on topic:bus.notifications, which it does not need",
            "reentrybus: granted Read on topic:police.arrests, but no client of the file logs in as reentrybus",
        ], "\(problems.joined(separator: "\n"))")
    }

    @Test("the brokers authorize every request: StandardAuthorizer, no ACL means no access, one super user, SASL on every listener")
    func brokersAuthorize() throws {
        let compose = try loadCompose()
        let brokers = compose.kafkaBrokers
        #expect(!brokers.isEmpty)
        for broker in brokers {
            let environment = broker.environment
            #expect(environment["KAFKA_AUTHORIZER_CLASS_NAME"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer", "\(broker.name)")
            #expect(environment["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false", "\(broker.name)")
            #expect(environment["KAFKA_SUPER_USERS"] == "User:broker", "\(broker.name): only the brokers' own user")
            let protocols = (environment["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] ?? "").split(separator: ",").map { $0.split(separator: ":").last.map(String.init) ?? "" }
            #expect(!protocols.isEmpty && protocols.allSatisfy { $0.hasPrefix("SASL_") },
                    "\(broker.name): a PLAINTEXT listener's peers are User:ANONYMOUS: \(environment["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] ?? "none")")
            #expect(environment["KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL"] == "PLAIN", "\(broker.name)")
        }
    }

    @Test("the acls job applies acls.conf as the super user once the brokers are healthy, before the topics job and every service")
    func aclsJobOrder() throws {
        let compose = try loadCompose()
        let jobs = compose.services.values.filter { $0.entrypoint.last?.hasSuffix("/apply-acls.sh") == true }
        let job = try #require(jobs.first, "no service runs apply-acls.sh")
        #expect(jobs.count == 1)
        #expect(job.restart == "no")
        #expect(job.entrypoint.first == "/bin/bash")
        let script = try #require(job.entrypoint.last)
        #expect(job.volumes.contains("./deploy/kafka/apply-acls.sh:\(script):ro"), "\(job.volumes)")
        let grants = try #require(job.command.last)
        #expect(job.volumes.contains("./deploy/kafka/acls.conf:\(grants):ro"), "\(job.volumes)")
        let option = { (name: String) in job.command.firstIndex(of: name).flatMap { job.command.indices.contains($0 + 1) ? job.command[$0 + 1] : nil } }
        #expect(option("--command-config") == "/run/secrets/kafka_client_properties")
        #expect(job.secrets.contains("kafka_client_properties"))
        let topicsJob = try #require(compose.services(running: ["topics", "apply", "--bootstrap"]).first)
        #expect(option("--bootstrap-server") == topicsJob.command.dropFirst(3).first, "the acls job and the topics job use the same brokers")
        for broker in compose.kafkaBrokers { #expect(job.dependsOn[broker.name] == "service_healthy", "\(broker.name): \(job.dependsOn)") }
        for client in Self.clients(compose) {
            #expect(client.dependsOn[job.name] == "service_completed_successfully", "\(client.name) may start before the ACLs: \(client.dependsOn)")
        }
    }

    /// apply-acls.sh run against a stand-in for kafka-acls.sh that records its arguments: every
    /// grant line becomes one `--add`, and the grants it adds are the file's.
    @Test("apply-acls.sh adds exactly the grants of acls.conf, one kafka-acls.sh call per line")
    func applyScriptAddsTheFile() async throws {
        try await withStandInACLsTool { tool, calls in
            let result = try await Self.runApplyScript(tool: tool, grants: aclsURL)
            #expect(result.status == 0, "\(result.output)")
            var added: [String: Set<KafkaPermission>] = [:]
            for call in try readText(calls).split(separator: "\u{1E}", omittingEmptySubsequences: true) {
                let arguments = call.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
                #expect(Self.value(of: "--bootstrap-server", in: arguments) == "kafka-1:19092")
                #expect(Self.value(of: "--command-config", in: arguments) == "/run/secrets/kafka_client_properties")
                #expect(arguments.contains("--add") && !arguments.contains("--remove") && !arguments.contains("--deny-principal"))
                let principal = try #require(Self.value(of: "--allow-principal", in: arguments))
                #expect(principal.hasPrefix("User:"))
                let user = String(principal.dropFirst("User:".count))
                let operations = Self.values(of: "--operation", in: arguments)
                var resources = Self.values(of: "--topic", in: arguments).map { "topic:\($0)" }
                    + Self.values(of: "--group", in: arguments).map { "group:\($0)" }
                    + Self.values(of: "--transactional-id", in: arguments).map { "transactional-id:\($0)" }
                if arguments.contains("--cluster") { resources.append("cluster") }
                for operation in operations { for resource in resources { added[user, default: []].insert(KafkaPermission(operation: operation, resource: resource)) } }
            }
            #expect(added == (try loadGrants().permissions))
        }
    }

    @Test("apply-acls.sh applies nothing from a file with a bad line, and names the line")
    func applyScriptRefusesABadFile() async throws {
        try await withStandInACLsTool { tool, calls in
            let text = try readText(aclsURL) + "reentrybus-router  All  topic:bus.notifications\n"
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
            let result = try await withTemporaryFile(text, named: "acls.conf") { file in try await Self.runApplyScript(tool: tool, grants: file) }
            #expect(result.status != 0)
            #expect(result.output.contains("acls.conf:\(lines): unknown operation 'All'"), "\(result.output)")
            #expect(try readText(calls).isEmpty, "grants were applied before the bad line was found")
        }
    }

    @Test(
        "make-secrets.sh gives each client's user its password in the brokers' list, and the super user to the healthcheck and the acls job",
        .enabled(if: ExternalTool.find("openssl") != nil, "openssl is not installed (the script makes the keys with it)"))
    func brokersKnowEveryClient() async throws {
        let compose = try loadCompose()
        try await withCopyOfSecretsScript { root, script in
            let result = try await ExternalTool.run(URL(fileURLWithPath: "/bin/bash"), [script.path])
            #expect(result.status == 0, "\(result.output)")

            let jaas = try readText(root.appendingPathComponent(try #require(compose.secretFiles["kafka_jaas"])))
            var passwords: [String: String] = [:]
            for line in jaas.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("user_"), let equals = trimmed.firstIndex(of: "=") else { continue }
                passwords[String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 5)..<equals])] =
                    trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: CharacterSet(charactersIn: "\";"))
            }
            for client in Self.clients(compose) {
                let user = try #require(client.environment["REENTRYBUS_KAFKA_SASL_USERNAME"])
                let secret = String((client.environment["REENTRYBUS_KAFKA_SASL_PASSWORD_FILE"] ?? "").dropFirst("/run/secrets/".count))
                let password = try readText(root.appendingPathComponent(try #require(compose.secretFiles[secret]))).trimmingCharacters(in: .newlines)
                #expect(password.count >= 32, "\(client.name)")
                #expect(passwords[user] == password, "the brokers do not know \(client.name)'s user \(user) with its password")
            }
            #expect(Set(passwords.values).count == passwords.count, "two users share a password")
            let properties = try readText(root.appendingPathComponent(try #require(compose.secretFiles["kafka_client_properties"])))
            let superUser = try #require(compose.kafkaBrokers.first?.environment["KAFKA_SUPER_USERS"]).dropFirst("User:".count)
            #expect(properties.contains("username=\"\(superUser)\""), "the healthcheck and the acls job log in as the super user")
        }
    }

    // MARK: - Helpers

    static func superUsers(_ compose: ComposeFile) throws -> Set<String> {
        let value = try #require(compose.kafkaBrokers.first?.environment["KAFKA_SUPER_USERS"], "no KAFKA_SUPER_USERS")
        return Set(value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    static func value(of option: String, in arguments: [String]) -> String? { values(of: option, in: arguments).first }

    static func values(of option: String, in arguments: [String]) -> [String] {
        arguments.indices.filter { arguments[$0] == option && $0 + 1 < arguments.count }.map { arguments[$0 + 1] }
    }

    static func runApplyScript(tool: URL, grants: URL) async throws -> ExternalTool.Result {
        try await ExternalTool.run(URL(fileURLWithPath: "/usr/bin/env"), [
            "ACLS_TOOL=\(tool.path)", "/bin/bash", applyACLsURL.path,
            "--bootstrap-server", "kafka-1:19092", "--command-config", "/run/secrets/kafka_client_properties", grants.path,
        ])
    }

    /// Runs `body` with a stand-in for kafka-acls.sh that appends its arguments to `calls`
    /// (arguments separated by U+001F, calls ended by U+001E).
    func withStandInACLsTool(_ body: (_ tool: URL, _ calls: URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deployment-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let calls = folder.appendingPathComponent("calls")
        try Data().write(to: calls)
        let tool = folder.appendingPathComponent("kafka-acls.sh")
        try Data("""
            #!/bin/bash
            { printf '%s\\037' "$@"; printf '\\036'; } >> '\(calls.path)'

            """.utf8).write(to: tool)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
        try await body(tool, calls)
    }
}
