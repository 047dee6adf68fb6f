import ArgumentParser
import Contracts
import Foundation
import Gateway
import Logging
import Pipeline
import ServiceKit
import Settings
import Storage

/// `reentrybus webhooks add|list|remove|dead-letters`: an agency's webhook endpoints, in the
/// gateway's database (the one `serve gateway` and `dev` deliver from).
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Register, list and remove agencies' webhook endpoints; show what was given up on.",
        discussion: """
            Works on the gateway's database: <data-dir>/gateway.sqlite, or the schema gateway of \
            --database postgres://…. A running gateway picks changes up at its next round. Deliveries \
            disclose what the registrant (--subject, --role, --purpose of --agency) may see, exactly \
            as their own inbox shows it.
            """,
        subcommands: [WebhooksAdd.self, WebhooksList.self, WebhooksRemove.self, WebhooksDeadLetters.self])
}

/// Where the gateway's database is.
struct GatewayDatabaseOptions: ParsableArguments {
    @OptionGroup var config: ConfigurationOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var state: ServiceStateOptions

    /// Opens (and migrates, as the gateway would) the gateway's database.
    func open() throws -> ServiceDatabase {
        let settings = try config.resolve(logging: logging, keys: [.dataDirectory, .database, .databasePasswordFile]) { flags in
            state.apply(to: &flags, defaultDataDirectory: config.file == nil ? ".reentrybus/dev" : nil)
        }
        let (directory, postgres) = try settings.database.storage(dataDirectory: settings.dataDirectory)
        if let postgres {
            var logger = Logger(label: "reentrybus.webhooks")
            logger.logLevel = .error
            return try ServiceDatabase(
                postgres: PostgresStorage(configuration: try postgres.inSchema(ServiceName.gateway.rawValue), logger: logger),
                migrations: Gateway.migrations)
        }
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try ServiceDatabase(path: folder.appendingPathComponent("\(ServiceName.gateway.rawValue).sqlite").path, migrations: Gateway.migrations)
    }
}

/// `reentrybus webhooks add`: prints the endpoint's id and its secret, the only time it is shown.
struct WebhooksAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register an endpoint; prints its id and signing secret (shown once).")

    @OptionGroup var database: GatewayDatabaseOptions
    @Option(help: "The delivery URL: https, or http to a loopback host.") var url: String
    @Option(help: "The agency whose notifications are delivered (e.g. MO-DOC-PP).") var agency: String
    @Option(help: "Who registers it: the subject deliveries are disclosed to and audited as.") var subject: String
    @Option(name: .customLong("role"), help: "A role of the registrant (repeatable), as in tokens: officer, supervisor, …")
    var roles: [String] = ["integrator"]
    @Option(help: "Why they receive it: an access purpose (supervision, officer-safety, …).") var purpose: String
    @Option(help: "The agency's kind (community_supervision, police, …); else the agency directory's.") var agencyKind: String?
    @Option(name: .customLong("event-type"), help: "Deliver only notifications from this source event type (repeatable).")
    var eventTypes: [String] = []
    @Option(name: .customLong("rule"), help: "Deliver only notifications of this routing rule (repeatable).") var rules: [String] = []

    func run() async throws {
        var parsedRoles: Set<Role> = []
        for role in roles {
            guard let parsed = Role(rawValue: role) else { throw ValidationError("--role \(role) is not a role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))") }
            parsedRoles.insert(parsed)
        }
        guard let accessPurpose = AccessPurpose(rawValue: purpose.replacingOccurrences(of: "-", with: "_")) else {
            throw ValidationError("--purpose \(purpose) is not an access purpose")
        }
        var kind: AgencyKind?
        if let agencyKind {
            guard let parsed = AgencyKind(rawValue: agencyKind.replacingOccurrences(of: "-", with: "_")) else {
                throw ValidationError("--agency-kind \(agencyKind) is not an agency kind")
            }
            kind = parsed
        }
        let registrant = Caller(subject: subject, agencyId: agency, roles: parsedRoles, purpose: accessPurpose, agencyKind: kind)
        let endpoint: WebhookEndpoint
        switch makeEndpoint(registrant: registrant) {
        case .success(let made): endpoint = made
        case .failure(let error): throw ValidationError(error.field == "url" ? "--url \(error.reason)" : "\(error.field) \(error.reason)")
        }
        try await database.open().write { try WebhookStore.add(endpoint, cursor: nil, $0) }
        print("id: \(endpoint.id)")
        print("secret: \(endpoint.secret)")
        print("Keep the secret now: it is not shown again. Deliveries are signed with it (Standard Webhooks).")
    }
}

extension WebhooksAdd {
    /// The endpoint the options describe, or the first option at fault.
    func makeEndpoint(registrant: Caller) -> Result<WebhookEndpoint, WebhookRegistrationError> {
        Result { () throws(WebhookRegistrationError) -> WebhookEndpoint in
            WebhookEndpoint(
                agencyId: agency, url: try WebhookRegistration.url(url),
                eventTypes: try WebhookRegistration.filter(eventTypes, field: "--event-type"),
                rules: try WebhookRegistration.filter(rules, field: "--rule"), registrant: registrant)
        }
    }
}

struct WebhooksList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List endpoints (without secrets), owed and dead deliveries.")

    @OptionGroup var database: GatewayDatabaseOptions
    @Option(help: "Only this agency's endpoints.") var agency: String?

    func run() async throws {
        let agency = self.agency
        let rows = try await database.open().read { transaction in
            try WebhookStore.endpoints(of: agency, transaction).map { stored in
                (stored.endpoint, try WebhookStore.pending(for: stored.endpoint.id, transaction).count,
                 try WebhookStore.deadLetters(of: stored.endpoint.id, transaction).count)
            }
        }
        guard !rows.isEmpty else { return print("No webhook endpoints.") }
        for (endpoint, pending, dead) in rows {
            let filters = (endpoint.eventTypes.isEmpty ? "all event types" : endpoint.eventTypes.joined(separator: ","))
                + "; " + (endpoint.rules.isEmpty ? "all rules" : endpoint.rules.joined(separator: ","))
            print("\(endpoint.id)  \(endpoint.agencyId)  \(endpoint.url.absoluteString)  by \(endpoint.registrant.subject)  [\(filters)]  owed \(pending)  dead \(dead)")
        }
    }
}

struct WebhooksRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an endpoint with what it was owed and its dead letters.")

    @OptionGroup var database: GatewayDatabaseOptions
    @Argument(help: "The endpoint's id.") var id: String

    func run() async throws {
        let id = self.id.lowercased()
        guard try await database.open().write({ try WebhookStore.remove(id, of: nil, $0) }) else {
            throw ValidationError("There is no webhook endpoint \(id).")
        }
        print("Removed \(id).")
    }
}

struct WebhooksDeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "The deliveries an endpoint gave up on, with the last status and reason.")

    @OptionGroup var database: GatewayDatabaseOptions
    @Argument(help: "The endpoint's id.") var id: String

    func run() async throws {
        let id = self.id.lowercased()
        let letters = try await database.open().read { try WebhookStore.deadLetters(of: id, $0) }
        guard !letters.isEmpty else { return print("No dead letters for \(id).") }
        for letter in letters {
            let at = EventCodec.formatInstant(Date(timeIntervalSince1970: Double(letter.deadAtMilliseconds) / 1_000))
            print("\(letter.notificationId)  \(at)  attempts \(letter.attempts)  \(letter.lastStatus.map(String.init) ?? "-")  \(letter.lastReason)")
        }
    }
}
