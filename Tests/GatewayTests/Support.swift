import Audit
import Contracts
import Directory
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import JWTKit
import Kafka
import Logging
import Notifications
import Policy
import ServiceKit
import Storage
import Synchronization
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let catalog: TopicCatalog = try! TopicCatalog.embedded()

/// The arrest example of the contracts (source MO-KCPD, police) with a fresh event id.
func arrestEvent(id: UUID = UUID(), agency: String = "MO-KCPD", kind: String = "police", edit: (inout [String: Any]) -> Void = { _ in }) throws -> [UInt8] {
    try exampleEvent("police.arrest.made.v1", id: id, agency: agency, kind: kind, edit: edit)
}

/// The first example of `example` (a file of `Topics/examples`, without `.json`) with a fresh
/// event id and the source `agency` of kind `kind`.
func exampleEvent(
    _ example: String, id: UUID = UUID(), agency: String, kind: String, edit: (inout [String: Any]) -> Void = { _ in }
) throws -> [UInt8] {
    let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Topics/examples/\(example).json"))
    var event = (try JSONSerialization.jsonObject(with: data) as! [[String: Any]])[0]
    event["eventId"] = id.uuidString.lowercased()
    event["source"] = ["agencyId": agency, "agencyKind": kind]
    edit(&event)
    return Array(try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]))
}

/// Records every message it is asked to deliver; fails the next `failNext` deliveries.
final class RecordingSink: EventSink {
    let messages = Mutex<[KafkaProducerMessage]>([])
    let failNext = Mutex(0)

    func deliver(_ messages: [KafkaProducerMessage]) async -> [Int: String] {
        let fail = failNext.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail { return Dictionary(uniqueKeysWithValues: messages.indices.map { ($0, "injected failure") }) }
        self.messages.withLock { $0 += messages }
        return [:]
    }

    var sent: [KafkaProducerMessage] { messages.withLock { $0 } }
}

/// Records disclosures; throws when told to.
/// The built-in access policy over the test catalog.
let accessPolicy = try! AccessPolicy.bundled(catalog: catalog)

/// The issuer's keys and tokens of the tests.
struct TestIssuer {
    static let issuer = "https://idp.test"
    static let audience = "reentrybus-gateway"
    static let kid = "test-key-1"
    let key = ES256PrivateKey()

    var jwks: String {
        let parameters = key.publicKey.parameters!
        return """
            {"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\(Self.kid)","x":"\(parameters.x)","y":"\(parameters.y)"}]}
            """
    }

    struct Claims: JWTPayload {
        var sub: String? = "PP-KC-118"
        var iss: String? = TestIssuer.issuer
        var aud: String? = TestIssuer.audience
        var exp: Double? = Date().timeIntervalSince1970 + 600
        var nbf: Double? = nil
        var agency: String? = "MO-DOC-PP"
        var roles: [String]? = ["officer"]
        var purpose: String? = "supervision"
        var units: [String]? = nil
        var agencyKind: String? = nil

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func token(_ claims: Claims = Claims(), kid: String = TestIssuer.kid, signedWith other: ES256PrivateKey? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: other ?? key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    func token(agency: String, roles: [String], agencyKind: String? = nil, subject: String = "S-1") async throws -> String {
        var claims = Claims()
        claims.agency = agency
        claims.roles = roles
        claims.agencyKind = agencyKind
        claims.sub = subject
        return try await token(claims)
    }
}

/// A gateway over a temporary database, an in-memory inbox, a recording sink, the built-in
/// access policy and an audit ledger in a temporary SQLite file.
struct GatewayHarness {
    let issuer = TestIssuer()
    let sink = RecordingSink()
    let gated = GatedSink()
    let ledger: AuditLedger
    let inbox: any StorageDatabase
    let gateway: Gateway
    let directory: URL

    /// - Parameter postgres: keep the gateway's tables and the inbox in these PostgreSQL
    ///   databases (each in its own schema, as the services do) instead of SQLite.
    /// - Parameter ledgerFails: the ledger's file is opened read-only, so every append fails.
    init(
        ingest: IngestConfiguration = IngestConfiguration(), ledgerFails: Bool = false,
        postgres: (gateway: PostgresStorage, inbox: PostgresStorage)? = nil, now: @escaping @Sendable () -> Date = Date.init,
        holdingDeliveries: Bool = false, views: GatewayViews? = nil, push: PushConfiguration = PushConfiguration(),
        disclosureContext: any DisclosureContextSource = NoDisclosureContext()
    ) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)", isDirectory: true)
        let inboxMigrations = InboxProjection(verifyingKeys: [], signingKey: .random()).migrations
        let database: ServiceDatabase
        if let postgres {
            database = try ServiceDatabase(postgres: postgres.gateway, migrations: Gateway.migrations)
            inbox = postgres.inbox
            _ = try await postgres.inbox.write { try StorageMigrator.migrate(inboxMigrations, in: $0) }
        } else {
            database = try ServiceDatabase(path: directory.appendingPathComponent("gateway.sqlite").path, migrations: Gateway.migrations)
            let sqlite = try SQLiteStorage.inMemory()
            _ = try sqlite.migrate(inboxMigrations)
            inbox = sqlite
        }
        let configuration = GatewayConfiguration(
            port: 0, authentication: AuthenticationConfiguration(jwks: issuer.jwks, issuer: TestIssuer.issuer, audience: TestIssuer.audience),
            ingest: ingest, push: push)
        let authenticator = try await BearerAuthenticator(configuration: configuration.authentication)
        let inbox = self.inbox
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let auditPath = directory.appendingPathComponent("audit.sqlite").path
        let writable = try await AuditLedger.open(storage: SQLiteStorage(path: auditPath))
        ledger = ledgerFails ? try await AuditLedger.open(storage: ServiceDatabase.openReadOnly(path: auditPath)) : writable
        gateway = Gateway(
            configuration: configuration, catalog: catalog, authenticator: authenticator, sink: holdingDeliveries ? gated : sink, database: database,
            notifications: StorageNotificationSource { inbox }, disclosure: DisclosurePolicy(policy: accessPolicy),
            recorder: LedgerDisclosureRecorder(ledger: ledger, logger: Logger(label: "gateway-tests")), disclosureContext: disclosureContext,
            logger: Logger(label: "gateway-tests"), now: now, views: views)
    }

    var router: Router<BasicRequestContext> { buildGatewayRouter(gateway, openAPI: try! OpenAPIDocument.bytes()) }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: router).test(.router, body)
    }

    /// Puts agencies in the directory the inbox keeps.
    func describe(_ agencies: [(id: String, kind: AgencyKind)]) async throws {
        try await inbox.write { transaction in
            for agency in agencies {
                try DirectoryStore(transaction).describe(AgencyDescribed(
                    agencyId: agency.id, kind: agency.kind, name: agency.id, jurisdiction: AgencyJurisdiction(state: "MO")))
            }
        }
    }

    /// How many entries the audit ledger holds (and that its chain is whole).
    func auditEntries() async throws -> Int {
        let verification = try await ledger.verify()
        #expect(verification.isIntact)
        return Int(verification.verifiedEntries)
    }

    func store(_ notifications: [BusNotification]) async throws {
        try await inbox.write { transaction in
            for notification in notifications { _ = try InboxStore.insert(notification, receivedAtMilliseconds: nil, transaction) }
        }
    }
}

func notification(to recipient: Recipient, agency: String?, minute: Int, person: String = "MO1234567") -> BusNotification {
    BusNotification(
        recipient: recipient, priority: .high, summary: "Darnell Reyes (\(person)) was arrested",
        reason: NotificationReason(rule: "supervisee-arrested", explanation: "You supervise this person.", matched: [MatchedIdentifier("stateId", person)]),
        facts: [NotificationFact("Charges", "571.030")], occurredAt: Date(timeIntervalSince1970: 1_750_000_000 + Double(minute) * 60),
        subjectStateId: person, sourceEventId: UUID().uuidString.lowercased(), sourceEventType: "police.arrest.made",
        recipientAgencyId: agency)
}

extension HTTPFields {
    static func bearer(_ token: String, contentType: String? = "application/json") -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(token)"]
        if let contentType { fields[.contentType] = contentType }
        return fields
    }
}

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as! [String: Any]
}

/// Holds every delivery until the test opens it, counting deliveries begun.
final class GatedSink: EventSink {
    let open = AwaitableState(false)
    let begun = AwaitableState(0)
    let messages = Mutex<[KafkaProducerMessage]>([])

    func deliver(_ messages: [KafkaProducerMessage]) async -> [Int: String] {
        begun.update { $0 += 1 }
        await open.wait { $0 }
        self.messages.withLock { $0 += messages }
        return [:]
    }
}
