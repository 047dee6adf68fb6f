import Audit
import Contracts
import Foundation
import Gateway
import HTTPTypes
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
import WebUI

let catalog: TopicCatalog = try! TopicCatalog.embedded()
let accessPolicy = try! AccessPolicy.bundled(catalog: catalog)

/// The issuer of the tests' tokens (ES256).
struct TestIssuer {
    static let issuer = "https://idp.test"
    static let audience = "reentrybus-gateway"
    static let kid = "ui-test-key"
    let key = ES256PrivateKey()

    var jwks: String {
        let parameters = key.publicKey.parameters!
        return """
            {"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\(Self.kid)","x":"\(parameters.x)","y":"\(parameters.y)"}]}
            """
    }

    struct Claims: JWTPayload {
        var sub = "PP-KC-118"
        var iss = TestIssuer.issuer
        var aud = TestIssuer.audience
        var exp = Date().timeIntervalSince1970 + 600
        var agency = "MO-DOC-PP"
        var roles = ["officer"]
        var purpose = "supervision"
        var agencyKind: String? = "community_supervision"

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func token(_ claims: Claims = Claims(), signedWith other: ES256PrivateKey? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: other ?? key, kid: JWKIdentifier(string: Self.kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: Self.kid))
    }

    /// An analyst of the police (another agency than the officer's).
    func analystToken() async throws -> String {
        var claims = Claims()
        claims.sub = "KCPD-A-204"
        claims.agency = "MO-KCPD"
        claims.roles = ["analyst"]
        claims.purpose = "investigation"
        claims.agencyKind = "police"
        return try await token(claims)
    }
}

/// Records every message it is asked to deliver.
final class RecordingSink: EventSink {
    let messages = Mutex<[KafkaProducerMessageSummary]>([])

    func deliver(_ messages: [KafkaProducerMessage]) async -> [Int: String] {
        self.messages.withLock { $0 += messages.map { KafkaProducerMessageSummary(topic: $0.topic, value: $0.value) } }
        return [:]
    }

    var sent: [KafkaProducerMessageSummary] { messages.withLock { $0 } }
}

struct KafkaProducerMessageSummary: Sendable {
    var topic: String
    var value: [UInt8]
}

/// A gateway with the web UI over an in-memory inbox, a recording sink and an audit ledger in
/// a temporary SQLite file.
struct UIHarness {
    let issuer: TestIssuer
    let sink = RecordingSink()
    let ledger: AuditLedger
    let inbox: any StorageDatabase
    let gateway: Gateway
    let ui: WebUI
    /// How many pushes the live streams have recorded in the ledger (each before it is written).
    let streamed = AwaitableState(0)

    init(
        host: String = "127.0.0.1", issuer: TestIssuer = TestIssuer(), ui configuration: WebUIConfiguration = WebUIConfiguration(),
        views: GatewayViews? = nil, maxPageSize: Int = 200, now: @escaping @Sendable () -> Date = Date.init
    ) async throws {
        self.issuer = issuer
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webui-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sqlite = try SQLiteStorage.inMemory()
        _ = try sqlite.migrate(InboxProjection(verifyingKeys: [], signingKey: .random()).migrations)
        inbox = sqlite
        ui = try WebUI(configuration: configuration)
        let gatewayConfiguration = GatewayConfiguration(
            host: host, port: 0,
            authentication: AuthenticationConfiguration(jwks: issuer.jwks, issuer: TestIssuer.issuer, audience: TestIssuer.audience),
            maxPageSize: maxPageSize, pages: ui)
        let authenticator = try await BearerAuthenticator(configuration: gatewayConfiguration.authentication)
        ledger = try await AuditLedger.open(storage: SQLiteStorage(path: directory.appendingPathComponent("audit.sqlite").path))
        let database = try ServiceDatabase(path: directory.appendingPathComponent("gateway.sqlite").path, migrations: Gateway.migrations)
        let inbox = self.inbox
        gateway = Gateway(
            configuration: gatewayConfiguration, catalog: catalog, authenticator: authenticator, sink: sink, database: database,
            notifications: StorageNotificationSource { inbox }, disclosure: DisclosurePolicy(policy: accessPolicy),
            recorder: StreamCountingRecorder(
                ledger: LedgerDisclosureRecorder(ledger: ledger, logger: Logger(label: "webui-tests")), streamed: streamed),
            logger: Logger(label: "webui-tests"),
            now: now, views: views)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: buildGatewayRouter(gateway, openAPI: [])).test(.router, body)
    }

    func store(_ notifications: [BusNotification]) async throws {
        try await inbox.write { transaction in
            for notification in notifications { _ = try InboxStore.insert(notification, receivedAtMilliseconds: nil, transaction) }
        }
    }

    /// What the inbox service writes once it accepted an acknowledgement from the bus.
    func acceptAcknowledgement(of notification: BusNotification, at instant: String, actor: String? = nil) async throws {
        try await inbox.write { transaction in
            _ = try transaction.execute(
                """
                INSERT INTO inbox_acks (ack_id, notification_id, by_recipient, acknowledged_at, note, status, actor)
                VALUES ($1, $2, $3, $4, NULL, 'accepted', $5)
                """,
                [.text(UUID().uuidString.lowercased()), .text(notification.id), .text(notification.recipient.description), .text(instant),
                 actor.map { .text($0) } ?? .null])
        }
    }

    func auditEntries() async throws -> Int {
        let verification = try await ledger.verify()
        #expect(verification.isIntact)
        return Int(verification.verifiedEntries)
    }
}

/// The ledger, counting the pushes of the live streams once they are recorded.
struct StreamCountingRecorder: DisclosureRecorder, AuditSearching {
    let ledger: LedgerDisclosureRecorder
    let streamed: AwaitableState<Int>

    func record(_ disclosure: Disclosure) async throws {
        try await ledger.record(disclosure)
        if disclosure.channel == .stream { streamed.update { $0 += 1 } }
    }

    func search(person: String) async throws -> [AuditEntry] { try await ledger.search(person: person) }
}

/// A notification of an arrest to `recipient`, at `minute` past a fixed instant.
func arrest(to recipient: Recipient = .officer("PP-KC-118"), agency: String? = "MO-DOC-PP", minute: Int, summary: String = "Darnell Reyes (MO1234567) was arrested") -> BusNotification {
    BusNotification(
        recipient: recipient, priority: .urgent, summary: summary,
        reason: NotificationReason(rule: "supervisee-arrested", explanation: "You supervise this person (case PP-2024-0117).", matched: [MatchedIdentifier("stateId", "MO1234567")]),
        facts: [NotificationFact("Arrested at", "2025-06-11T22:40:00-05:00"), NotificationFact("Charges", "571.030 Unlawful use of a weapon")], occurredAt: Date(timeIntervalSince1970: 1_750_000_000 + Double(minute) * 60),
        subjectStateId: "MO1234567", sourceEventId: UUID().uuidString.lowercased(), sourceEventType: "police.arrest.made",
        recipientAgencyId: agency)
}

/// The cookies a browser would send: the session and the CSRF token (`prefix`: `__Host-` where
/// the cookies are Secure).
func cookies(session: String? = nil, csrf: String? = nil, prefix: String = "") -> HTTPFields {
    let pairs = [session.map { "\(prefix)reentrybus_session=\($0)" }, csrf.map { "\(prefix)reentrybus_csrf=\($0)" }].compactMap { $0 }
    return pairs.isEmpty ? [:] : [.cookie: pairs.joined(separator: "; ")]
}

/// A well-formed pre-session cookie or CSRF token (43 base64url characters) that no page made:
/// what a sibling host of the same site can plant and post.
let testCSRF = String(repeating: "A", count: 43)

/// The value of the first `name="csrf"` field of a page.
func csrfField(_ html: String) throws -> String {
    let marker = "name=\"csrf\" value=\""
    let start = try #require(html.range(of: marker)).upperBound
    return String(html[start...].prefix { $0 != "\"" })
}

/// The CSRF token the forms of a signed-in page carry (the layout's sign-out form), read as a
/// browser would from a page that reads and records nothing (the UI's not-found page).
func sessionCSRF(_ client: any TestClientProtocol, session: String) async throws -> String {
    let page = try await client.execute(uri: "/ui/no-such-page", method: .get, headers: cookies(session: session))
    #expect(page.status == .notFound)
    return try csrfField(text(page))
}

/// Posts a form as a browser does: this session's CSRF token, then `fields` as given
/// (`application/x-www-form-urlencoded`: `+` for a space).
func postForm(_ client: any TestClientProtocol, _ uri: String, session: String, _ fields: String) async throws -> TestResponse {
    let csrf = try await sessionCSRF(client, session: session)
    var headers = cookies(session: session)
    headers[.contentType] = "application/x-www-form-urlencoded"
    return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)&" + fields))
}

/// The sign-in page's pre-session cookie and the token of its forms, as a browser gets them.
func signInCSRF(_ client: any TestClientProtocol) async throws -> (cookie: String, token: String) {
    let page = try await client.execute(uri: "/ui/sign-in", method: .get)
    let setCookie = try #require(page.headers[values: HTTPField.Name("set-cookie")!].first { $0.hasPrefix("reentrybus_csrf=") })
    return (String(setCookie.dropFirst("reentrybus_csrf=".count).prefix { $0 != ";" }), try csrfField(text(page)))
}

func form(_ fields: [(String, String)], cookies base: HTTPFields) -> (HTTPFields, ByteBuffer) {
    var headers = base
    headers[.contentType] = "application/x-www-form-urlencoded"
    let body = fields.map { name, value in
        "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
    }.joined(separator: "&")
    return (headers, ByteBuffer(string: body))
}

func text(_ response: TestResponse) -> String { String(buffer: response.body) }
