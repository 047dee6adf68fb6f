import Contracts
import Directory
import Foundation
import Gateway
import HummingbirdTesting
import Kafka
import Policy
import ReadModels
import ServiceKit
import Storage
import Synchronization
import Testing

/// The views' rows as the read models really encode them: the contracts' example events applied
/// to the views service's stores on SQLite, read through the gateway's real source. Every member
/// of every row must be classified in `Policy/views.yaml` (an unclassified one would be withheld).
@Suite struct SeededViewTests {
    static let examples = [
        "supervision.case.started", "courts.warrant.issued", "custody.release.scheduled", "supervision.mental-health-bulletin.published",
        "supervision.assessment.completed",
    ]
    /// When the examples' release is 3 days ahead and the case has started.
    static let asOf = ISO8601DateFormatter().date(from: "2025-04-30T12:00:00Z")!

    static func seeded() async throws -> StorageViewSource {
        let views = try SQLiteStorage.inMemory()
        _ = try await views.write { try StorageMigrator.migrate(ViewsProjection().migrations, in: $0) }
        let stores = ReadModelCatalog.all
        for (index, name) in examples.enumerated() {
            let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Topics/examples/\(name).v1.json"))
            let first = try #require((try JSONSerialization.jsonObject(with: data) as? [Any])?.first)
            let bytes = Array(try JSONSerialization.data(withJSONObject: first, options: [.sortedKeys]))
            let document = try JSONValue(parsing: bytes)
            guard case .object(let members) = document, case .string(let type)? = members["eventType"], case .string(let id)? = members["eventId"] else {
                Issue.record("\(name): not an event")
                continue
            }
            let topic = try #require(catalog.topic(forEventType: type)?.name)
            let event = AdmittedEvent(
                topicPartition: .init(topic: topic, partition: 0), offset: .init(Int64(index)), key: "", eventType: type, schemaVersion: 1,
                eventId: id, value: bytes, timestampMilliseconds: nil, document: document)
            try await views.write { transaction in
                for store in stores where store.handles(eventType: type) { try store.apply(event, in: transaction) }
            }
        }
        try await views.write { transaction in
            try DirectoryStore(transaction).describe(AgencyDescribed(
                agencyId: "MO-KCPD", kind: .police, name: "KCPD", jurisdiction: AgencyJurisdiction(state: "MO", places: ["Kansas City"])))
            for (agencyId, place) in [("MO-REENTRY-KC", "Kansas City"), ("MO-REENTRY-STL", "St. Louis")] {
                try DirectoryStore(transaction).describe(AgencyDescribed(
                    agencyId: agencyId, kind: .reentryServices, name: agencyId, jurisdiction: AgencyJurisdiction(state: "MO", places: [place])))
            }
        }
        let warrants = try SQLiteStorage.inMemory()
        return StorageViewSource(views: { views }, warrants: { warrants })
    }

    @Test("every member of every seeded row is classified; the examples reach the caseload, police, board and court views")
    func seededRowsAreClassified() async throws {
        let source = try await Self.seeded()
        let queries: [(String, ViewQuery)] = [
            ("caseload", .caseload(agencyId: "MO-DOC-PP", officerId: nil)),
            ("police-releases", .policeReleases(agencyId: "MO-KCPD", withinDays: 60)),
            ("police-warrants", .policeWarrants(agencyId: "MO-KCPD")),
            ("police-supervisees", .policeSupervisees(agencyId: "MO-KCPD")),
            ("police-bulletins", .policeBulletins(agencyId: "MO-KCPD")),
            ("release-board", .releaseBoard(facilityId: "MO-WERDCC", withinDays: 60)),
            ("high-needs", .highNeeds(agencyId: "MO-REENTRY-KC", withinDays: 60)),
            ("court-warrants", .courtWarrants(courtId: "MO-CIRCUIT16")),
            ("court-blocked-releases", .courtBlockedReleases(courtId: "MO-CIRCUIT16")),
            ("safety-check", .safetyCheck(address: "1200 E 31st St, Kansas City, MO 64109", coordinates: nil, radiusMeters: 500)),
        ]
        let requester = Requester(subject: "t", agencyId: "MO-DOC-PP", agencyKind: "community_supervision", roles: [.officer], purpose: .supervision)
        var counts: [String: Int] = [:]
        for (view, query) in queries {
            let fields = try #require(viewPolicy.views[view]?.fields, "\(view)")
            let rows = try await source.rows(query, asOf: Self.asOf)
            counts[view] = rows.count
            for row in rows {
                let redaction = accessPolicy.redact(row, classifications: fields, for: requester)
                #expect(redaction.unclassifiedCount == 0, "\(view): \(redaction.withheld.filter { $0.reason == .unclassified }.map(\.field))")
            }
        }
        print("seeded view rows: \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        for view in ["caseload", "court-warrants", "release-board", "police-releases", "police-supervisees"] {
            #expect(counts[view, default: 0] > 0, "\(view) has a seeded row")
        }
    }

    @Test("every endpoint on the seeded read models: the caller's own agency's rows, one audit entry each")
    func everyEndpointOnSeededReadModels() async throws {
        let harness = try await GatewayHarness(now: { Self.asOf }, views: GatewayViews(source: try await Self.seeded(), policy: viewPolicy))
        let requests: [(uri: String, agency: String, kind: String, role: String, purpose: String)] = [
            ("/v1/views/caseload", "MO-DOC-PP", "community_supervision", "supervisor", "supervision"),
            ("/v1/views/police/releases", "MO-KCPD", "police", "officer", "officer_safety"),
            ("/v1/views/police/warrants", "MO-KCPD", "police", "officer", "officer_safety"),
            ("/v1/views/police/supervisees", "MO-KCPD", "police", "officer", "officer_safety"),
            ("/v1/views/police/bulletins", "MO-KCPD", "police", "officer", "crisis_response"),
            ("/v1/views/release-board", "MO-WERDCC", "prison", "release-coordinator", "release_planning"),
            ("/v1/views/high-needs", "MO-REENTRY-KC", "reentry_services", "reentry-services", "service_referral"),
            ("/v1/views/court/warrants", "MO-CIRCUIT16", "court", "court-clerk", "court_proceedings"),
            ("/v1/views/court/blocked-releases", "MO-CIRCUIT16", "court", "court-clerk", "court_proceedings"),
            ("/v1/views/safety-check?address=1200%20E%2031st%20St%2C%20Kansas%20City%2C%20MO%2064109", "MO-KCPD", "police", "officer", "officer_safety"),
            ("/v1/persons/\(Self.stateId)", "MO-KCPD", "police", "officer", "officer_safety"),
        ]
        try await harness.test { client in
            for request in requests {
                var claims = TestIssuer.Claims()
                claims.agency = request.agency
                claims.agencyKind = request.kind
                claims.roles = [request.role]
                claims.purpose = request.purpose
                let token = try await harness.issuer.token(claims)
                let response = try await client.execute(uri: request.uri, method: .get, headers: .bearer(token, contentType: nil))
                #expect(response.status == .ok, "\(request.uri)")
                let body = try json(response.body)
                let count = (body["items"] as? [Any])?.count ?? (body["views"] as? [String: Any])?.count ?? (body["row"] != nil ? 1 : 0)
                #expect(count > 0, "\(request.uri) answered with the seeded rows")
            }
        }
        let entries = try await harness.ledger.entries()
        #expect(entries.count == requests.count, "one audit entry per response")
        #expect(entries.allSatisfy { $0.outcome == .disclosed })
        #expect(Set(entries.map(\.resource)).count == requests.count)
    }

    @Test("the high-needs list is the caller's area's: a release into Kansas City is shown to Kansas City's reentry services, not St. Louis's nor an agency the directory does not know")
    func highNeedsIsTheCallersArea() async throws {
        let harness = try await GatewayHarness(now: { Self.asOf }, views: GatewayViews(source: try await Self.seeded(), policy: viewPolicy))
        let counts = Mutex<[String: Int]>([:])
        try await harness.test { client in
            for agency in ["MO-REENTRY-KC", "MO-REENTRY-STL", "MO-REENTRY-UNKNOWN"] {
                var claims = TestIssuer.Claims()
                claims.agency = agency
                claims.agencyKind = "reentry_services"
                claims.roles = ["reentry-services"]
                claims.purpose = "service_referral"
                let token = try await harness.issuer.token(claims)
                let response = try await client.execute(uri: "/v1/views/high-needs", method: .get, headers: .bearer(token, contentType: nil))
                #expect(response.status == .ok)
                let count = (try json(response.body)["items"] as? [Any])?.count
                counts.withLock { $0[agency] = count }
            }
        }
        #expect(counts.withLock { $0 } == ["MO-REENTRY-KC": 1, "MO-REENTRY-STL": 0, "MO-REENTRY-UNKNOWN": 0])
    }

    static let stateId = "MO1234567"
}
