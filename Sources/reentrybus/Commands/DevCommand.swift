import ArgumentParser
import Demo
import Foundation
import Gateway
import Pipeline
import WebUI

/// `reentrybus dev`: the embedded broker, the topics, and every service in one process.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the embedded broker, the topics and the services in one process; print each notification.",
        discussion: """
            Prints one line per notification stored in the inbox: time, recipient, priority, summary. \
            The embedded broker keeps nothing between runs, so the services' databases in --data-dir \
            start empty on every run: dev marks the directory as its own and deletes its databases at \
            each start, and refuses a directory holding databases it did not create (such as serve's). \
            List a recipient's notifications meanwhile with `reentrybus inbox RECIPIENT --data-dir DIR`. \
            Ctrl-C (or SIGTERM) shuts down cleanly, within --shutdown-deadline. \
            From the configuration file (--config or REENTRYBUS_CONFIG) and the REENTRYBUS_* \
            environment, dev reads log.*, metrics.listen and shutdown-deadline (flags win); the \
            Kafka settings and data-dir are serve's and are not used (a notice names those set).
            """)

    @Flag(help: "Publish a scenario covering flow A (supervisee arrested), flow B (scheduled release with a warrant, then recalled), the unscheduled-release variant, the police events, and a tick of the bus's clock 45 minutes ahead (escalations, a feed alarm and its all-clear).")
    var demo = false

    @Option(help: "Where the services keep their SQLite databases (emptied at each start, if dev created them).")
    var dataDir = ".reentrybus/dev"

    @Option(help: "Brokers in the embedded cluster.")
    var brokers = 1

    @Option(help: ArgumentHelp("Where the HTTP gateway listens (port 0: any free port).", valueName: "host:port"))
    var gatewayListen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Events per second each agency may send the gateway (bursts of at least 1,000).", valueName: "rate"))
    var gatewayRate: Double = 200

    @Flag(help: "Also print the gateway's URL, the broker's address and the demo tokens as one line, `gateway-json {…}`, for load drivers and tests.")
    var gatewayJSON = false

    @OptionGroup var contracts: ContractsDirectoryOption
    @OptionGroup var operational: OperationalOptions

    func validate() throws {
        guard (1...32).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 32.") }
        guard gatewayRate > 0, gatewayRate <= 1_000_000 else { throw ValidationError("--gateway-rate must be above 0 and at most 1,000,000.") }
    }

    func run() async throws {
        let operation = try operational.resolve(command: "dev", keys: OperationalOptions.embeddedBrokerKeys)
        let logger = operation.logger
        let catalog = try contracts.loadCatalog()
        let directory = URL(fileURLWithPath: dataDir, isDirectory: true)
        try DevDataDirectory(directory).prepareFreshRun()
        let output = FileHandle.standardOutput
        // The demo key pair stays in the data directory (never printed); the tokens are printed.
        let identities = try DemoGatewayIdentities(directory: directory)
        var configuration = ApplicationConfiguration(
            broker: .embedded(brokers: brokers), dataDirectory: directory, services: Set(ServiceName.allCases), catalog: catalog,
            shutdown: operation.shutdown, observability: operation.observability)
        let tokens = try await identities.tokens()
        configuration.gateway = try identities.configuration(listen: gatewayListen)
        configuration.gateway?.ingest.rate = IngestRate(eventsPerSecond: gatewayRate, burst: max(1_000, gatewayRate))
        // The web UI's sign-in lists the demo people (not the police system) with their tokens:
        // dev only; `serve gateway` offers a token field alone.
        configuration.gateway?.pages = try WebUI(configuration: WebUIConfiguration(demoUsers: tokens.compactMap { user, token in
            user.roles.contains("integrator") ? nil : WebUIConfiguration.DemoUser(label: user.label, subject: user.subject, token: token)
        }))
        let application = try buildApplication(configuration, logger: logger) { notification in
            output.write(Data((notification.line + "\n").utf8))
        }
        if demo, let kafka = application.kafka {
            let publisher = DemoPublisher(
                scenario: try DemoScenario(now: Date()).withPoliceEvents().withDemoClock(), producer: kafka.producerConfiguration(clientID: "reentrybus-demo"),
                progress: application.services.mapValues(\.progress), logger: logger)
            try application.addService(publisher, named: "demo-publisher")
        }
        let banner = """
            reentrybus dev: embedded broker at \(application.bootstrapServers.joined(separator: ",")); \
            services: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")); data in \(dataDir)
            \(demo ? "publishing the demo scenario (flows A, B and the variant, the police events, then a tick \(Int(DemoScenario.clockLead / 60)) minutes ahead: escalations and a feed alarm); " : "")Ctrl-C stops

            """
        // Once everything runs: from then on Ctrl-C and SIGTERM stop it gracefully.
        application.onRunning { output.write(Data(banner.utf8)) }
        let bootstrapServers = application.bootstrapServers
        application.gateway?.listener.whenListening { host, port in
            var lines = ["gateway: http://\(host):\(port) (OpenAPI at /openapi.json); demo bearer tokens, valid 12 hours:"]
            for (user, token) in tokens { lines.append("  \(user.label), sub \(user.subject): \(token)") }
            if let person = tokens.first?.0 {
                lines.append("web UI: http://\(host):\(port)/ui/sign-in (sign in as the \(person.label), \(person.subject), from the list)")
            }
            if gatewayJSON { lines.append(Self.gatewayJSONLine(host: host, port: port, bootstrapServers: bootstrapServers, tokens: tokens)) }
            output.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        try await application.runAsCommand()
    }

    /// `gateway-json {"url":…,"bootstrapServers":[…],"tokens":{subject: token}}`: what a second
    /// process needs to drive the gateway and read what it wrote, in one line it can parse.
    static func gatewayJSONLine(host: String, port: Int, bootstrapServers: [String], tokens: [(DemoGatewayIdentities.User, String)]) -> String {
        let document: [String: Any] = [
            "url": "http://\(host):\(port)", "bootstrapServers": bootstrapServers,
            "tokens": Dictionary(tokens.map { ($0.0.subject, $0.1) }, uniquingKeysWith: { first, _ in first }),
        ]
        do {
            return "gateway-json " + String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
        } catch {
            return "gateway-json {\"error\":\"the gateway's details could not be encoded\"}"
        }
    }
}
