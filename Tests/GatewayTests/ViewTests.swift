import Audit
import Contracts
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Notifications
import Policy
import Synchronization
import Testing

/// The read-model view endpoints: deny by default by `Policy/views.yaml`, the caller's own
/// agency only, refusals recorded in the audit ledger, rows redacted field by field, stable
/// cursors, one audit entry per response.
@Suite struct ViewTests {
    struct Caller: CustomStringConvertible {
        var agency: String
        var kind: AgencyKind
        var role: String
        var purpose: String
        var subject: String
        var description: String { "\(role)@\(agency)" + (purpose == "crisis_response" ? "/crisis" : "") }
    }

    static let callers = [
        Caller(agency: "MO-DOC-PP", kind: .communitySupervision, role: "officer", purpose: "supervision", subject: "PP-KC-118"),
        Caller(agency: "MO-DOC-PP", kind: .communitySupervision, role: "supervisor", purpose: "supervision", subject: "PP-KC-001"),
        Caller(agency: "MO-KCPD", kind: .police, role: "officer", purpose: "officer_safety", subject: "KCPD-77"),
        Caller(agency: "MO-KCPD", kind: .police, role: "analyst", purpose: "investigation", subject: "KCPD-A1"),
        Caller(agency: "MO-DOC-WERDCC", kind: .prison, role: "release-coordinator", purpose: "release_planning", subject: "RC-1"),
        Caller(agency: "MO-CIRCUIT16", kind: .court, role: "court-clerk", purpose: "court_proceedings", subject: "CLERK-1"),
        Caller(agency: "MO-JACKSON-PA", kind: .prosecutor, role: "prosecutor", purpose: "prosecution", subject: "APA-1"),
        Caller(agency: "MO-REENTRY-KC", kind: .reentryServices, role: "reentry-services", purpose: "service_referral", subject: "RS-1"),
        Caller(agency: "MO-DOC-PP", kind: .communitySupervision, role: "auditor", purpose: "audit", subject: "AUD-1"),
        Caller(agency: "MO-KCPD", kind: .police, role: "officer", purpose: "crisis_response", subject: "KCPD-78"),
    ]

    /// Who may read what of their own agency: the expectation, written out (not computed from
    /// the file under test).
    static let allowed: [String: Set<String>] = [
        "caseload": ["officer@MO-DOC-PP", "supervisor@MO-DOC-PP"],
        "police/releases": ["officer@MO-KCPD", "analyst@MO-KCPD", "officer@MO-KCPD/crisis"],
        "police/warrants": ["officer@MO-KCPD", "analyst@MO-KCPD", "officer@MO-KCPD/crisis"],
        "police/supervisees": ["officer@MO-KCPD", "analyst@MO-KCPD", "officer@MO-KCPD/crisis"],
        // Only when answering a crisis call: a row says the person has a bulletin.
        "police/bulletins": ["officer@MO-KCPD/crisis"],
        "release-board": ["release-coordinator@MO-DOC-WERDCC"],
        "warrant-checks": ["release-coordinator@MO-DOC-WERDCC", "court-clerk@MO-CIRCUIT16", "prosecutor@MO-JACKSON-PA"],
        "high-needs": ["reentry-services@MO-REENTRY-KC"],
        "court/warrants": ["court-clerk@MO-CIRCUIT16"],
        "court/blocked-releases": ["court-clerk@MO-CIRCUIT16"],
        "safety-check?address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110": [
            "officer@MO-DOC-PP", "supervisor@MO-DOC-PP", "officer@MO-KCPD", "officer@MO-KCPD/crisis",
        ],
    ]

    struct Tally {
        var allowed = 0, denied = 0, deniedAndAudited = 0, crossAgency = 0, crossAgencyDeniedAndAudited = 0
        var table: [String] = []
    }

    static func harness(_ source: FixedViewSource = FixedViewSource()) async throws -> GatewayHarness {
        try await GatewayHarness(views: GatewayViews(source: source, policy: viewPolicy))
    }

    static func token(_ harness: GatewayHarness, _ caller: Caller) async throws -> String {
        var claims = TestIssuer.Claims()
        claims.sub = caller.subject
        claims.agency = caller.agency
        claims.roles = [caller.role]
        claims.purpose = caller.purpose
        claims.agencyKind = caller.kind.rawValue
        return try await harness.issuer.token(claims)
    }

    static func uri(_ view: String, _ extra: String) -> String {
        let path = "/v1/views/\(view)"
        return path + (extra.isEmpty ? "" : (path.contains("?") ? "&" : "?") + extra)
    }

    @Test("role × view × own/other agency: allowed as the table says, every cross-agency attempt denied and audited")
    func allowDenyTable() async throws {
        let source = FixedViewSource()
        let harness = try await Self.harness(source)
        let tally = Mutex(Tally())
        try await harness.test { client in
            for (view, allowedCallers) in Self.allowed.sorted(by: { $0.key < $1.key }) {
                for caller in Self.callers {
                    let token = try await Self.token(harness, caller)
                    for other in [false, true] {
                        let before = try await harness.ledger.entries().count
                        let response = try await client.execute(
                            uri: Self.uri(view, other ? "agency=MO-STL-PD" : ""), method: .get, headers: .bearer(token, contentType: nil))
                        let entries = try await harness.ledger.entries(after: Int64(before))
                        let expectAllowed = !other && allowedCallers.contains(caller.description)
                        let name = "\(caller) \(view.prefix { $0 != "?" }) \(other ? "other" : "own")"
                        if expectAllowed {
                            tally.withLock { $0.allowed += 1 }
                            #expect(response.status == .ok, "\(name)")
                            #expect(entries.allSatisfy { $0.outcome == .disclosed }, "\(name)")
                        } else {
                            tally.withLock { $0.denied += 1 }
                            #expect(response.status == .forbidden, "\(name)")
                            #expect(response.headers[.contentType] == "application/problem+json")
                            let denial = entries.first { $0.outcome == .denied }
                            #expect(entries.count == 1 && denial != nil, "\(name): one denial recorded")
                            #expect(denial?.requester.agencyId == caller.agency && denial?.disclosed.isEmpty == true)
                            if denial != nil { tally.withLock { $0.deniedAndAudited += 1 } }
                        }
                        if other {
                            tally.withLock { $0.crossAgency += 1 }
                            if response.status == .forbidden, entries.contains(where: { $0.isDenial }) { tally.withLock { $0.crossAgencyDeniedAndAudited += 1 } }
                        }
                        let line = ("\(name): \(response.status.code) \(entries.first?.denialReason?.rawValue ?? entries.first?.outcome?.rawValue ?? "-")")
                        tally.withLock { $0.table.append(line) }
                    }
                }
            }
        }
        let counts = tally.withLock { $0 }
        print(counts.table.joined(separator: "\n"))
        print("views allow/deny: \(counts.allowed) allowed, \(counts.denied) denied, \(counts.deniedAndAudited) denied and audited; "
            + "cross-agency attempts \(counts.crossAgency), denied and audited \(counts.crossAgencyDeniedAndAudited)")
        #expect(counts.denied == counts.deniedAndAudited)
        #expect(counts.crossAgency == Self.allowed.count * Self.callers.count)
        #expect(counts.crossAgency == counts.crossAgencyDeniedAndAudited)
        #expect(counts.allowed == Self.allowed.values.map(\.count).reduce(0, +))
        // Every query the source was asked was the caller's own agency's.
        for query in source.queries {
            switch query {
            case .caseload(let agency, _), .policeReleases(let agency, _), .policeWarrants(let agency), .policeSupervisees(let agency),
                 .policeBulletins(let agency), .releaseBoard(let agency, _), .warrantChecks(let agency), .courtWarrants(let agency),
                 .courtBlockedReleases(let agency), .highNeeds(let agency, _):
                #expect(agency != "MO-STL-PD")
            case .safetyCheck:
                break
            }
        }
        #expect(try await harness.ledger.verify().isIntact)
    }

    @Test("an officer reads only their own caseload; a supervisor any officer's of the agency")
    func caseloadScope() async throws {
        let source = FixedViewSource()
        let harness = try await Self.harness(source)
        let officer = try await Self.token(harness, Self.callers[0])
        let supervisor = try await Self.token(harness, Self.callers[1])
        try await harness.test { client in
            let own = try await client.execute(uri: "/v1/views/caseload", method: .get, headers: .bearer(officer, contentType: nil))
            #expect(own.status == .ok)
            let other = try await client.execute(uri: "/v1/views/caseload?officer=PP-KC-200", method: .get, headers: .bearer(officer, contentType: nil))
            #expect(other.status == .forbidden)
            let asSupervisor = try await client.execute(uri: "/v1/views/caseload?officer=PP-KC-200", method: .get, headers: .bearer(supervisor, contentType: nil))
            #expect(asSupervisor.status == .ok)
        }
        #expect(source.queries == [
            .caseload(agencyId: "MO-DOC-PP", officerId: "PP-KC-118"), .caseload(agencyId: "MO-DOC-PP", officerId: "PP-KC-200"),
        ])
        let entries = try await harness.ledger.entries()
        #expect(entries.map(\.outcome) == [.disclosed, .denied, .disclosed])
        #expect(entries[1].denialReason == .otherOfficer && entries[1].resource == "view.caseload")
    }

    @Test("pages follow the rows' keys: a row inserted before the cursor is not shown twice or shifted, one after it appears once")
    func cursorsAreStableAcrossInserts() async throws {
        let source = FixedViewSource(["caseload": ["C-1", "C-2", "C-3", "C-4", "C-5"].map { ViewFixtures.caseload($0) }])
        let harness = try await Self.harness(source)
        let token = try await Self.token(harness, Self.callers[1])
        try await harness.test { client in
            func page(_ cursor: String?) async throws -> (ids: [String], next: String?) {
                let uri = "/v1/views/caseload?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let response = try await client.execute(uri: uri, method: .get, headers: .bearer(token, contentType: nil))
                #expect(response.status == .ok)
                let body = try json(response.body)
                let ids = (body["items"] as? [[String: Any]] ?? []).compactMap { ($0["row"] as? [String: Any])?["caseId"] as? String }
                return (ids, body["nextCursor"] as? String)
            }
            let first = try await page(nil)
            #expect(first.ids == ["C-1", "C-2"])
            source.insert(ViewFixtures.caseload("C-0"), into: "caseload")
            source.insert(ViewFixtures.caseload("C-25"), into: "caseload")
            let second = try await page(first.next)
            #expect(second.ids == ["C-25", "C-3"])
            let third = try await page(second.next)
            #expect(third.ids == ["C-4", "C-5"])
            #expect(third.next == nil)
            let foreign = try await client.execute(
                uri: "/v1/views/release-board?cursor=\(first.next ?? "")", method: .get, headers: .bearer(token, contentType: nil))
            #expect(foreign.status == .badRequest, "a cursor of another view is refused")
        }
    }

    @Test("withheld fields are absent and listed with why: health without consent, CJI for reentry services")
    func withheldFieldsAreListed() async throws {
        let harness = try await Self.harness()
        var crisis = Self.callers[2]
        crisis.purpose = "crisis_response"
        let police = try await Self.token(harness, crisis)
        let reentry = try await Self.token(harness, Self.callers[7])
        try await harness.test { client in
            let bulletins = try await client.execute(uri: "/v1/views/police/bulletins", method: .get, headers: .bearer(police, contentType: nil))
            let item = try #require((try json(bulletins.body)["items"] as? [[String: Any]])?.first)
            let row = try #require(item["row"] as? [String: Any])
            #expect(row["baseline"] == nil && row["consent"] == nil && row["keyContacts"] == nil)
            #expect(!String(buffer: bulletins.body).contains("anxiety"))
            let withheld = try #require(item["withheld"] as? [[String: Any]])
            let codes = Dictionary(uniqueKeysWithValues: withheld.map { ($0["path"] as? String ?? "", $0["code"] as? String ?? "") })
            #expect(codes["$.baseline"] == "consent_not_in_force")
            #expect(codes["$.keyContacts"] == "consent_not_in_force")
            #expect(row["person"] != nil && row["registeredAddress"] != nil, "the crisis-response grant shows whom the bulletin is about")

            let highNeeds = try await client.execute(uri: "/v1/views/high-needs", method: .get, headers: .bearer(reentry, contentType: nil))
            let needs = try #require((try json(highNeeds.body)["items"] as? [[String: Any]])?.first)
            let needsRow = try #require(needs["row"] as? [String: Any])
            #expect(needsRow["releaseId"] as? String == "REL-1")
            #expect(needsRow["person"] == nil, "reentry services see no CJI")
            let paths = Set((needs["withheld"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String })
            #expect(paths.contains("$.person") && paths.contains("$.incidents"))
        }
    }

    @Test("every response is one audit entry naming the persons and the fields disclosed and withheld")
    func auditEntryPerResponse() async throws {
        let harness = try await Self.harness()
        let token = try await Self.token(harness, Self.callers[1])
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/views/caseload", method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
        }
        let entries = try await harness.ledger.entries()
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry.resource == "view.caseload" && entry.outcome == .disclosed && entry.channel == .api)
        #expect(Set(entry.persons.map(\.value)) == ["MO1234567", "MO7654321", "FB123"])
        let disclosed = Set(entry.disclosed.map(\.field))
        #expect(disclosed.isSuperset(of: ["caseId", "stateId", "name", "address", "flags"]))
        #expect(entry.disclosed.first { $0.field == "address" }?.classifications == [.pii])
        #expect(try await harness.ledger.search(person: "MO7654321").count == 1)
    }

    @Test("a person across the views the caller may read, their rows only; a caller who may read none is refused and audited")
    func person() async throws {
        let harness = try await Self.harness()
        let police = try await Self.token(harness, Self.callers[2])
        let auditor = try await Self.token(harness, Self.callers[8])
        let crisisCaller = try await Self.token(harness, Self.callers[9])
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/persons/MO1234567", method: .get, headers: .bearer(police, contentType: nil))
            #expect(response.status == .ok)
            let views = try #require(try json(response.body)["views"] as? [String: Any])
            // For officer safety, no bulletin section: whether one exists is health information.
            #expect(Set(views.keys) == ["police-releases", "police-warrants", "police-supervisees"])
            let crisis = try await client.execute(uri: "/v1/persons/MO1234567", method: .get, headers: .bearer(crisisCaller, contentType: nil))
            let crisisViews = try #require(try json(crisis.body)["views"] as? [String: Any])
            #expect(Set(crisisViews.keys) == ["police-releases", "police-warrants", "police-supervisees", "police-bulletins"])
            let none = try await client.execute(uri: "/v1/persons/MO9999998", method: .get, headers: .bearer(police, contentType: nil))
            #expect((try json(none.body)["views"] as? [String: Any])?.isEmpty == true)
            // A number that says there is none names nobody: refused before anything is read.
            let unknown = try await client.execute(uri: "/v1/persons/UNKNOWN", method: .get, headers: .bearer(police, contentType: nil))
            #expect(unknown.status == .badRequest)
            let refused = try await client.execute(uri: "/v1/persons/MO1234567", method: .get, headers: .bearer(auditor, contentType: nil))
            #expect(refused.status == .forbidden)
            let traversal = try await client.execute(uri: "/v1/persons/..%2F..%2Fetc", method: .get, headers: .bearer(police, contentType: nil))
            #expect(traversal.status == .badRequest || traversal.status == .notFound)
        }
        let entries = try await harness.ledger.entries()
        #expect(entries.map(\.outcome) == [.disclosed, .disclosed, .denied])
        #expect(entries[0].resource == "view.person" && entries[0].persons.contains { $0.value == "MO1234567" })
        #expect(entries[1].purpose == .crisisResponse)
        #expect(entries[2].denialReason == .roleNotAllowed)
    }

    @Test("POST /v1/persons/lookup: the identifier in the body, the same answer and audit entry as the GET; a body that is not {identifier} is a 400, another type a 415")
    func personLookup() async throws {
        let harness = try await Self.harness()
        let police = try await Self.token(harness, Self.callers[2])
        try await harness.test { client in
            let viaPath = try await client.execute(uri: "/v1/persons/MO1234567", method: .get, headers: .bearer(police, contentType: nil))
            let viaBody = try await client.execute(
                uri: "/v1/persons/lookup", method: .post, headers: .bearer(police), body: ByteBuffer(string: #"{"identifier":"MO1234567"}"#))
            #expect(viaBody.status == .ok)
            #expect(try canonical(try json(viaBody.body)) == (try canonical(try json(viaPath.body))))
            for bad in [#"{"identifier":"../etc"}"#, #"{"identifier":"MO1234567","x":1}"#, #"{"identifier":7}"#, "[]", "MO1234567"] {
                let response = try await client.execute(uri: "/v1/persons/lookup", method: .post, headers: .bearer(police), body: ByteBuffer(string: bad))
                #expect(response.status == .badRequest, "\(bad)")
            }
            let form = try await client.execute(
                uri: "/v1/persons/lookup", method: .post, headers: .bearer(police, contentType: "application/x-www-form-urlencoded"),
                body: ByteBuffer(string: "identifier=MO1234567"))
            #expect(form.status == .unsupportedMediaType)
        }
        let entries = try await harness.ledger.entries()
        #expect(entries.map(\.resource) == ["view.person", "view.person"])
        #expect(entries.allSatisfy { $0.persons.contains { $0.value == "MO1234567" } })
    }

    @Test("a person is found only by identifiers the caller may see: reentry services, who may not see CJI, learn nothing of a high-needs row by its state ID")
    func personFoundOnlyByVisibleIdentifiers() async throws {
        let harness = try await Self.harness()
        let reentry = try await Self.token(harness, Self.callers[7])
        try await harness.test { client in
            // The high-needs row about MO1234567 is in the caller's own view (REL-1), with the person withheld.
            let listed = try await client.execute(uri: "/v1/views/high-needs", method: .get, headers: .bearer(reentry, contentType: nil))
            #expect((try json(listed.body)["items"] as? [[String: Any]])?.isEmpty == false)
            let response = try await client.execute(uri: "/v1/persons/MO1234567", method: .get, headers: .bearer(reentry, contentType: nil))
            #expect(response.status == .ok)
            #expect((try json(response.body)["views"] as? [String: Any])?.isEmpty == true, "\(String(buffer: response.body))")
            #expect(!String(buffer: response.body).contains("REL-1"))
        }
        #expect(try await harness.ledger.entries().map(\.resource) == ["view.high-needs"], "nothing disclosed by the lookup, so nothing recorded for it")
    }

    @Test("the safety check answers one address; a missing address is a 400 and discloses nothing")
    func safetyCheck() async throws {
        let harness = try await Self.harness()
        let token = try await Self.token(harness, Self.callers[2])
        try await harness.test { client in
            let response = try await client.execute(
                uri: "/v1/views/safety-check?address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110&lat=39.04&lon=-94.57",
                method: .get, headers: .bearer(token, contentType: nil))
            #expect(response.status == .ok)
            let row = try #require(try json(response.body)["row"] as? [String: Any])
            #expect(row["residents"] != nil)
            let investigations = try #require(row["investigations"] as? [[String: Any]])
            #expect(investigations.first?["investigationId"] as? String == "INV-1")
            #expect(investigations.first?["summary"] == nil, "criminal intelligence needs a Part 23 subscription")
            let missing = try await client.execute(uri: "/v1/views/safety-check", method: .get, headers: .bearer(token, contentType: nil))
            #expect(missing.status == .badRequest)
        }
        #expect(try await harness.ledger.entries().count == 1)
    }

    @Test("POST /v1/views/safety-check: the address in the body, the same answer and audit entry as the GET; a body that is not {address, …} is a 400, another type a 415")
    func safetyCheckLookup() async throws {
        let harness = try await Self.harness()
        let police = try await Self.token(harness, Self.callers[2])
        try await harness.test { client in
            let viaQuery = try await client.execute(
                uri: "/v1/views/safety-check?address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110&lat=39.04&lon=-94.57",
                method: .get, headers: .bearer(police, contentType: nil))
            let viaBody = try await client.execute(
                uri: "/v1/views/safety-check", method: .post, headers: .bearer(police),
                body: ByteBuffer(string: #"{"address":"4410 Troost Ave, Kansas City, MO 64110","lat":39.04,"lon":-94.57}"#))
            #expect(viaBody.status == .ok)
            #expect(try canonical(try json(viaBody.body)) == (try canonical(try json(viaQuery.body))))
            let bad = [
                #"{"address":7}"#, #"{"lat":39.04,"lon":-94.57}"#, #"{"address":"4410 Troost Ave, Kansas City, MO 64110","x":1}"#,
                #"{"address":"4410 Troost Ave, Kansas City, MO 64110","lat":"39.04","lon":-94.57}"#,
                #"{"address":"4410 Troost Ave, Kansas City, MO 64110","lat":39.04}"#, #"{"address":"4410 Troost Ave, Kansas City, MO 64110","radius":2.5}"#,
                "[]", "4410 Troost Ave",
            ]
            for body in bad {
                let response = try await client.execute(uri: "/v1/views/safety-check", method: .post, headers: .bearer(police), body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
            }
            let form = try await client.execute(
                uri: "/v1/views/safety-check", method: .post, headers: .bearer(police, contentType: "application/x-www-form-urlencoded"),
                body: ByteBuffer(string: "address=4410+Troost+Ave"))
            #expect(form.status == .unsupportedMediaType)
        }
        let entries = try await harness.ledger.entries()
        #expect(entries.map(\.resource) == ["view.safety-check", "view.safety-check"])
        #expect(entries[0].persons == entries[1].persons && entries[0].disclosed == entries[1].disclosed && entries[0].withheld == entries[1].withheld)
        #expect(entries[0].channel == entries[1].channel && entries[0].outcome == entries[1].outcome && entries[0].purpose == entries[1].purpose)
    }

    @Test("acknowledging another agency's notification is a 404 and a refusal in the ledger")
    func foreignAcknowledgementIsAudited() async throws {
        let harness = try await Self.harness()
        let foreign = notification(to: .agency("MO-KCPD"), agency: nil, minute: 1)
        try await harness.store([foreign])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/notifications/\(foreign.id)/ack", method: .post, headers: .bearer(token))
            #expect(response.status == .notFound)
        }
        let entries = try await harness.ledger.entries()
        #expect(entries.count == 1)
        #expect(entries.first?.denialReason == .notAddressedToCaller && entries.first?.resource == BusNotification.eventType)
        #expect(harness.sink.sent.isEmpty)
    }

    @Test("every member each view's rows encode has a classification in Policy/views.yaml")
    func everyRowFieldIsClassified() throws {
        let requester = Requester(subject: "t", agencyId: "MO-DOC-PP", agencyKind: "community_supervision", roles: [.officer], purpose: .supervision)
        #expect(Set(ViewFixtures.rows.keys) == Set(viewPolicy.views.keys))
        for (view, rows) in ViewFixtures.rows {
            let fields = try #require(viewPolicy.views[view]?.fields)
            for row in rows {
                let redaction = accessPolicy.redact(row, classifications: fields, for: requester)
                #expect(redaction.unclassifiedCount == 0, "\(view): \(redaction.withheld.filter { $0.reason == .unclassified }.map(\.field))")
            }
        }
    }
}
