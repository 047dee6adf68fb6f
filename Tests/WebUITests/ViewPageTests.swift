import Audit
import Contracts
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import Policy
import Synchronization
import Testing
import WebUI

/// Rows of the read-model views by view and agency, in the read models' encoding (as
/// `StorageViewSource` answers): each query gets only the rows of the agency it names, as the
/// real source scopes them.
final class AgencyViewSource: ViewSource {
    let rows: [String: [String: [JSONValue]]]
    let asked = Mutex<[ViewQuery]>([])

    init(_ rows: [String: [String: [JSONValue]]]) { self.rows = rows }

    func rows(_ query: ViewQuery, asOf: Date) async throws -> [JSONValue] {
        asked.withLock { $0.append(query) }
        let (view, agency): (String, String?) =
            switch query {
            case .caseload(let agency, _): ("caseload", agency)
            case .policeReleases(let agency, _): ("police-releases", agency)
            case .releaseBoard(let facility, _): ("release-board", facility)
            case .warrantChecks(let agency): ("warrant-checks", agency)
            case .highNeeds: ("high-needs", nil)
            case .policeWarrants(let agency): ("police-warrants", agency)
            case .policeSupervisees(let agency): ("police-supervisees", agency)
            case .policeBulletins(let agency): ("police-bulletins", agency)
            case .courtWarrants(let court): ("court-warrants", court)
            case .courtBlockedReleases(let court): ("court-blocked-releases", court)
            case .safetyCheck: ("safety-check", nil)
            }
        guard let byAgency = rows[view] else { return [] }
        return agency.map { byAgency[$0] ?? [] } ?? byAgency.values.flatMap { $0 }
    }

    var queries: [ViewQuery] { asked.withLock { $0 } }
}

/// The view pages through Hummingbird's test client, over seeded view rows: each page shows
/// the rows of the signed-in user's agency (and role), sorts and filters on the server,
/// escapes every value, records one audit entry per read, and answers a refused role with a
/// plain page and a recorded denial.
@Suite struct ViewPageTests {
    static let viewPolicy = try! ViewPolicy.bundled(catalog: catalog)
    /// 30 Nov 2026, 12:00 UTC (06:00 CST): the releases' 60 days run to 29 Jan 2027.
    static let now = ISO8601DateFormatter().date(from: "2026-11-30T12:00:00Z")!

    static func row(_ text: String) -> JSONValue { try! JSONValue(parsing: Array(text.utf8)) }

    static func caseRow(_ caseId: String, stateId: String, given: String, family: String, start: String, risk: String, flags: String) -> JSONValue {
        row(#"""
            {"caseId":"\#(caseId)","personKey":"sid:\#(stateId)","stateId":"\#(stateId)","fbiNumber":null,"name":{"given":"\#(given)","family":"\#(family)"},
             "supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP","officer":{"officerId":"PP-KC-118","name":"P.O. Tanya Brooks"},
             "startDate":"\#(start)","expectedEndDate":"2027-06-30","conditions":[],"conditionsEffectiveDate":null,
             "address":{"line1":"4410 Troost Ave","city":"Kansas City","state":"MO","postalCode":"64110"},"addressEffectiveDate":"\#(start)",
             "householdMembers":null,"latestAssessment":{"assessmentId":"A-\#(caseId)","instrument":"ORAS","riskLevel":"\#(risk)","completedOn":"2026-10-01"},
             "flags":\#(flags)}
            """#)
    }

    static func release(_ id: String, stateId: String, family: String, at: String, check: String? = nil, facilityName: String = "WERDCC") -> JSONValue {
        row(#"""
            {"releaseId":"\#(id)","person":{"personKey":"sid:\#(stateId)","stateId":"\#(stateId)","name":{"given":"Marcus","family":"\#(family)"}},
             "status":"scheduled","facility":{"facilityId":"MO-DOC-WERDCC","name":"\#(facilityName)","kind":"prison"},"expectedAt":"\#(at)",
             "releaseType":"parole","destination":{"line1":"4410 Troost Ave","city":"Kansas City","state":"MO","postalCode":"64110"},
             "supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP","activeCase":null,
             "latestAssessment":{"assessmentId":"A-9","instrument":"ORAS","completedOn":"2026-10-01","riskLevel":"high","needs":[]}
             \#(check.map { #","releasedAt":null,"warrantCheck":"\#($0)","activeWarrants":[],"activeDetainers":[],"told":[]"# } ?? "")}
            """#)
    }

    static func check(_ id: String, stateId: String, releaseAt: String, deadline: String, told: String) -> JSONValue {
        row(#"""
            {"releaseId":"\#(id)","status":"hold","stateId":"\#(stateId)","facilityId":"MO-DOC-WERDCC","facilityName":"WERDCC",
             "releaseAt":"\#(releaseAt)","deadlines":[{"daysBefore":7,"at":"\#(deadline)","escalated":false}],
             "warrants":["W-\#(id)"],"detainers":[],"told":[{"recipient":"\#(told)","rule":"release-warrant-hold"}]}
            """#)
    }

    static let rows: [String: [String: [JSONValue]]] = [
        "caseload": [
            "MO-DOC-PP": [
                caseRow("PP-1", stateId: "MO1234567", given: "Darnell", family: "Reyes", start: "2025-01-02", risk: "high",
                        flags: #"[{"kind":"arrest","date":"2026-11-20T10:00:00Z","sourceRecordId":"KCPD-A-1","agencyId":"MO-KCPD"}]"#),
                caseRow("PP-2", stateId: "MO7654321", given: "Marcus", family: "Hill", start: "2025-03-04", risk: "low",
                        flags: #"[{"kind":"active_warrant","date":"2026-11-01T00:00:00Z","sourceRecordId":"W-7","agencyId":"MO-CIRCUIT16","detail":"failure_to_appear"}]"#),
                caseRow("PP-3", stateId: "MO5550123", given: "Alicia", family: "Grant", start: "2024-12-01", risk: "moderate", flags: "[]"),
            ],
            "MO-OTHER-PP": [
                caseRow("OT-1", stateId: "MO9999999", given: "Other", family: "Agencysperson", start: "2025-01-01", risk: "low", flags: "[]"),
            ],
        ],
        "police-releases": ["MO-KCPD": [release("REL-1", stateId: "MO7654321", family: "Hill", at: "2026-12-10T15:00:00Z")]],
        "release-board": [
            "MO-DOC-WERDCC": [release("REL-1", stateId: "MO7654321", family: "Hill", at: "2026-12-10T15:00:00Z", check: "hold")],
        ],
        "warrant-checks": [
            "MO-DOC-WERDCC": [
                check("REL-2", stateId: "MO5550123", releaseAt: "2027-01-20T15:00:00Z", deadline: "2027-01-13T15:00:00Z", told: "agency:MO-JCPO"),
                check("REL-1", stateId: "MO7654321", releaseAt: "2026-12-10T15:00:00Z", deadline: "2026-12-03T15:00:00Z", told: "facility:MO-DOC-WERDCC"),
            ],
        ],
    ]

    static func harness(_ rows: [String: [String: [JSONValue]]] = rows) async throws -> (UIHarness, AgencyViewSource) {
        let source = AgencyViewSource(rows)
        let harness = try await UIHarness(views: GatewayViews(source: source, policy: viewPolicy), now: { Self.now })
        return (harness, source)
    }

    static func token(_ harness: UIHarness, _ subject: String, _ agency: String, _ kind: String, _ role: String, _ purpose: String) async throws -> String {
        var claims = TestIssuer.Claims()
        claims.sub = subject
        claims.agency = agency
        claims.agencyKind = kind
        claims.roles = [role]
        claims.purpose = purpose
        return try await harness.issuer.token(claims)
    }

    static func officer(_ harness: UIHarness, agency: String = "MO-DOC-PP") async throws -> String {
        try await token(harness, "PP-KC-118", agency, "community_supervision", "officer", "supervision")
    }

    static func coordinator(_ harness: UIHarness) async throws -> String {
        try await token(harness, "RC-1", "MO-DOC-WERDCC", "prison", "release-coordinator", "release_planning")
    }

    /// The position of each of `needles` in `html` (nil when absent), to check an order.
    static func order(_ html: String, _ needles: [String]) -> [String.Index?] { needles.map { html.range(of: $0)?.lowerBound } }

    // MARK: - Caseload

    @Test("caseload: the officer's supervisees with flags and dates, newest flag first; one audit entry; nav links by role")
    func caseload() async throws {
        let (harness, source) = try await Self.harness()
        let officer = try await Self.officer(harness)
        try await harness.test { client in
            let before = try await harness.auditEntries()
            let response = try await client.execute(uri: "/ui/caseload", method: .get, headers: cookies(session: officer))
            #expect(response.status == .ok)
            let html = text(response)
            #expect(html.contains(personButton("MO1234567", "Darnell Reyes")))
            #expect(!html.contains("/ui/persons/"), "no person's number in a link")
            #expect(html.contains("Marcus Hill") && html.contains("Alicia Grant"))
            #expect(!html.contains("Agencysperson"))
            #expect(html.contains("<span class=\"pill flag-arrest\">Arrest</span> Fri 20 Nov 2026"))
            // 1 Nov 00:00 UTC is the evening of 31 Oct in Chicago.
            #expect(html.contains("<span class=\"pill flag-active_warrant\">Active warrant</span> Sat 31 Oct 2026 · failure_to_appear"))
            #expect(html.contains("Thu 2 Jan 2025"))
            // Default order: the most recent flag first, no flag last.
            let positions = Self.order(html, ["data-case-id=\"PP-1\"", "data-case-id=\"PP-2\"", "data-case-id=\"PP-3\""]).compactMap { $0 }
            #expect(positions.count == 3 && positions == positions.sorted())
            #expect(html.contains("href=\"/ui/caseload\" aria-current=\"page\">Caseload</a>"))
            #expect(!html.contains("href=\"/ui/releases\""))
            #expect(try await harness.auditEntries() == before + 1)
            #expect(source.queries.contains(.caseload(agencyId: "MO-DOC-PP", officerId: "PP-KC-118")))
        }
    }

    /// A supervisee known by the FBI number alone (`supervision.cases` version 2): the row says
    /// so and links the person page by it, where it used to show an empty state ID and no link.
    @Test("caseload: a supervisee known by the FBI number alone is named and linked by it")
    func caseloadByFBINumber() async throws {
        guard case .object(var row) = Self.caseRow("PP-9", stateId: "X", given: "Darnell", family: "Reyes", start: "2025-01-02", risk: "high", flags: "[]")
        else { Issue.record("a case row is an object"); return }
        row["personKey"] = .string("fbi:734591KA2")
        row["stateId"] = .null
        row["fbiNumber"] = .string("734591KA2")
        let (harness, _) = try await Self.harness(["caseload": ["MO-DOC-PP": [.object(row)]]])
        let officer = try await Self.officer(harness)
        try await harness.test { client in
            let html = text(try await client.execute(uri: "/ui/caseload", method: .get, headers: cookies(session: officer)))
            #expect(html.contains(personButton("734591KA2", "Darnell Reyes") + "<br><span class=\"muted\">FBI 734591KA2</span>"))
            #expect(!html.contains("State ID"))
        }
    }

    @Test("caseload: sorted by a column's link, both ways, on the server; filtered by a flag; a bad flag is named beside the field")
    func caseloadSortAndFilter() async throws {
        let (harness, _) = try await Self.harness()
        let officer = try await Self.officer(harness)
        try await harness.test { client in
            let byName = text(try await client.execute(uri: "/ui/caseload?sort=name&order=asc", method: .get, headers: cookies(session: officer)))
            let ascending = Self.order(byName, ["Alicia Grant", "Marcus Hill", "Darnell Reyes"]).compactMap { $0 }
            #expect(ascending.count == 3 && ascending == ascending.sorted())
            #expect(byName.contains("aria-sort=\"ascending\"><a href=\"/ui/caseload?sort=name&amp;order=desc\""))
            let descendingPage = text(try await client.execute(uri: "/ui/caseload?sort=name&order=desc", method: .get, headers: cookies(session: officer)))
            let descending = Self.order(descendingPage, ["Darnell Reyes", "Marcus Hill", "Alicia Grant"]).compactMap { $0 }
            #expect(descending.count == 3 && descending == descending.sorted())
            let byStart = text(try await client.execute(uri: "/ui/caseload?sort=start&order=asc", method: .get, headers: cookies(session: officer)))
            let started = Self.order(byStart, ["Alicia Grant", "Darnell Reyes", "Marcus Hill"]).compactMap { $0 }
            #expect(started.count == 3 && started == started.sorted())

            let arrests = text(try await client.execute(uri: "/ui/caseload?flag=arrest", method: .get, headers: cookies(session: officer)))
            #expect(arrests.contains("Darnell Reyes") && !arrests.contains("Marcus Hill") && !arrests.contains("Alicia Grant"))
            #expect(arrests.contains("<option value=\"arrest\" selected>Arrest</option>"))
            #expect(arrests.contains("1 supervisee with the flag Arrest."))
            let detainers = text(try await client.execute(uri: "/ui/caseload?flag=active_detainer", method: .get, headers: cookies(session: officer)))
            #expect(detainers.contains("None of your supervisees has the flag Active detainer."))

            let bad = text(try await client.execute(uri: "/ui/caseload?flag=%3Cscript%3E", method: .get, headers: cookies(session: officer)))
            #expect(bad.contains("id=\"flag-error\""))
            #expect(bad.contains("aria-invalid=\"true\""))
            #expect(bad.contains("Darnell Reyes") && bad.contains("Marcus Hill"))
            #expect(!bad.contains("<script>"))
        }
    }

    @Test("caseload of another agency's officer: none of these supervisees, only their own agency's")
    func caseloadOtherAgency() async throws {
        let (harness, _) = try await Self.harness()
        let other = try await Self.officer(harness, agency: "MO-OTHER-PP")
        let empty = try await Self.officer(harness, agency: "MO-THIRD-PP")
        try await harness.test { client in
            let html = text(try await client.execute(uri: "/ui/caseload", method: .get, headers: cookies(session: other)))
            #expect(html.contains("Other Agencysperson"))
            for name in ["Reyes", "Hill", "Grant", "MO1234567"] { #expect(!html.contains(name), "\(name)") }
            let none = text(try await client.execute(uri: "/ui/caseload", method: .get, headers: cookies(session: empty)))
            #expect(none.contains("No supervisees on your caseload."))
            #expect(none.contains("ask your supervisor"))
        }
    }

    @Test("a role the views policy refuses: the plain 'not available for your role' page, and the denial in the audit ledger")
    func refusedRole() async throws {
        let (harness, _) = try await Self.harness()
        let analyst = try await harness.issuer.analystToken()
        let officer = try await Self.officer(harness)
        try await harness.test { client in
            for (uri, token, resource) in [
                ("/ui/caseload", analyst, "view.caseload"), ("/ui/warrant-checks", analyst, "view.warrant-checks"),
                ("/ui/releases", officer, "view.police.releases"),
            ] {
                let before = try await harness.auditEntries()
                let response = try await client.execute(uri: uri, method: .get, headers: cookies(session: token))
                #expect(response.status == .forbidden, "\(uri)")
                let html = text(response)
                #expect(html.contains("<h1>Not available for your role</h1>"), "\(uri)")
                #expect(!html.contains("Reyes") && !html.contains("Hill"), "\(uri)")
                #expect(try await harness.auditEntries() == before + 1, "\(uri)")
                let denial = try #require(try await harness.ledger.entries(after: Int64(before)).last)
                #expect(denial.isDenial && denial.denialReason == .roleNotAllowed && denial.resource == resource, "\(uri)")
            }
        }
    }

    // MARK: - Releases

    @Test("releases: the police analyst's 60-day list and week calendar in the agency's zone, with risk; one audit entry")
    func policeReleases() async throws {
        let (harness, source) = try await Self.harness()
        let analyst = try await harness.issuer.analystToken()
        try await harness.test { client in
            let before = try await harness.auditEntries()
            let response = try await client.execute(uri: "/ui/releases", method: .get, headers: cookies(session: analyst))
            #expect(response.status == .ok)
            let html = text(response)
            #expect(html.contains("Releases into your jurisdiction"))
            // 15:00 UTC is 09:00 in Chicago.
            #expect(html.contains("<td>Thu 10 Dec 2026, 09:00 CST</td>"))
            #expect(html.contains(personButton("MO7654321", "Marcus Hill")))
            #expect(!html.contains("/ui/persons/"), "no person's number in a link")
            #expect(html.contains("<td>High</td>"))
            #expect(!html.contains("Warrant check</th>"))
            // The calendar: weeks from Sunday 29 Nov, the release in its day's cell.
            #expect(html.contains("<th scope=\"row\">Week of 29 Nov</th>"))
            let cell = try #require(html.range(of: "data-day=\"2026-12-10\""))
            let nextCell = try #require(html.range(of: "data-day=\"2026-12-11\""))
            let inCell = html[cell.upperBound..<nextCell.lowerBound]
            #expect(inCell.contains("09:00") && inCell.contains("Marcus Hill"))
            #expect(html.contains("data-day=\"2027-01-29\""))
            #expect(html.contains("href=\"/ui/releases\" aria-current=\"page\">Releases</a>"))
            #expect(try await harness.auditEntries() == before + 1)
            #expect(source.queries.contains(.policeReleases(agencyId: "MO-KCPD", withinDays: 60)))
        }
    }

    @Test("releases: a release coordinator's board shows the warrant-check status; another police agency sees none and is told what to do")
    func boardAndOtherAgency() async throws {
        let (harness, _) = try await Self.harness()
        let coordinator = try await Self.coordinator(harness)
        let otherPolice = try await Self.token(harness, "IPD-A-1", "MO-IPD", "police", "analyst", "investigation")
        try await harness.test { client in
            let board = text(try await client.execute(uri: "/ui/releases", method: .get, headers: cookies(session: coordinator)))
            #expect(board.contains("Your facility&#39;s releases") || board.contains("Your facility's releases"))
            #expect(board.contains("<span class=\"status status-hold\">Hold</span>"))
            #expect(board.contains("Marcus Hill"))
            let other = text(try await client.execute(uri: "/ui/releases", method: .get, headers: cookies(session: otherPolice)))
            #expect(!other.contains("Hill") && !other.contains("MO7654321"))
            #expect(other.contains("No release into your jurisdiction is expected in the next 60 days."))
            #expect(other.contains("No release falls in these weeks."))
        }
    }

    // MARK: - Warrant checks

    @Test("warrant checks: open checks by deadline, overdue marked, who was told; another agency sees none")
    func warrantChecks() async throws {
        let (harness, _) = try await Self.harness()
        let coordinator = try await Self.coordinator(harness)
        let clerk = try await Self.token(harness, "CLERK-1", "MO-CIRCUIT16", "court", "court-clerk", "court_proceedings")
        try await harness.test { client in
            let before = try await harness.auditEntries()
            let response = try await client.execute(uri: "/ui/warrant-checks", method: .get, headers: cookies(session: coordinator))
            #expect(response.status == .ok)
            let html = text(response)
            // REL-1's deadline (3 Dec) comes before REL-2's (13 Jan).
            let positions = Self.order(html, ["data-release-id=\"REL-1\"", "data-release-id=\"REL-2\""]).compactMap { $0 }
            #expect(positions.count == 2 && positions[0] < positions[1])
            #expect(html.contains("Thu 3 Dec 2026, 09:00 CST"))
            #expect(html.contains("7 days before release"))
            #expect(html.contains("facility:MO-DOC-WERDCC") && html.contains("agency:MO-JCPO"))
            #expect(html.contains("Warrants: W-REL-1"))
            #expect(!html.contains("Overdue"))
            #expect(try await harness.auditEntries() == before + 1)
            let none = text(try await client.execute(uri: "/ui/warrant-checks", method: .get, headers: cookies(session: clerk)))
            #expect(none.contains("No open warrant check concerns your agency."))
            #expect(!none.contains("MO7654321"))
        }
    }

    // MARK: - Person

    @Test("person: what the officer may see per view, the withheld line as the API's withheld lists say; one audit entry")
    func person() async throws {
        let (harness, _) = try await Self.harness()
        let officer = try await Self.officer(harness)
        try await harness.test { client in
            // As a browser does: the caseload row's button posts the number with the page's token.
            let caseload = text(try await client.execute(uri: "/ui/caseload", method: .get, headers: cookies(session: officer)))
            let (headers, posted) = form([("csrf", try csrfField(caseload)), ("identifier", "MO1234567")], cookies: cookies(session: officer))
            let before = try await harness.auditEntries()
            let response = try await client.execute(uri: "/ui/persons", method: .post, headers: headers, body: posted)
            #expect(response.status == .ok)
            let html = text(response)
            #expect(html.contains("<h1>Person MO1234567</h1>"))
            #expect(html.contains("<h2 id=\"view-caseload\">Caseload</h2>"))
            #expect(html.contains("<h3>PP-1</h3>"))
            #expect(html.contains("<dt>Name › Family</dt><dd>Reyes</dd>"))
            #expect(!html.contains("Marcus") && !html.contains("PP-2"))
            #expect(try await harness.auditEntries() == before + 1)

            // The line counts what the API's withheld lists name, with their classifications.
            let api = try await client.execute(uri: "/v1/persons/MO1234567", method: .get, headers: [.authorization: "Bearer \(officer)"])
            let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any])
            let items = ((body["views"] as? [String: Any])?["caseload"] as? [[String: Any]]) ?? []
            let withheld = items.flatMap { ($0["withheld"] as? [[String: Any]]) ?? [] }
            let classes = Set(withheld.flatMap { ($0["classifications"] as? [String]) ?? [] }).sorted().joined(separator: ", ")
            let line = withheld.isEmpty
                ? "Nothing was withheld from you."
                : "\(withheld.count) field\(withheld.count == 1 ? "" : "s") withheld (classification: \(classes))."
            #expect(html.contains("<p class=\"withheld\" id=\"withheld-line\">\(line)</p>"), "\(line)")
        }
    }

    @Test("person: unknown, malformed, or another agency's: the same plain not-found")
    func personNotFound() async throws {
        let (harness, _) = try await Self.harness()
        let other = try await Self.officer(harness, agency: "MO-OTHER-PP")
        try await harness.test { client in
            let theirs = try await postForm(client, "/ui/persons", session: other, "identifier=MO1234567")
            let missing = try await postForm(client, "/ui/persons", session: other, "identifier=MO0000000")
            let malformed = try await postForm(client, "/ui/persons", session: other, "identifier=..%2F..%2Fetc")
            for response in [theirs, missing, malformed] {
                #expect(response.status == .notFound)
                #expect(text(response).contains("There is nothing at this address for you."))
                #expect(!text(response).contains("Reyes"))
            }
            #expect(text(theirs) == text(missing))
        }
    }

    @Test("person pages are posted: the old address and GET /ui/persons show the search form and look nothing up; a post without this session's token reads nothing")
    func personIsPosted() async throws {
        let (harness, _) = try await Self.harness()
        let officer = try await Self.officer(harness)
        try await harness.test { client in
            let before = try await harness.auditEntries()
            for uri in ["/ui/persons/MO1234567", "/ui/persons"] {
                let response = try await client.execute(uri: uri, method: .get, headers: cookies(session: officer))
                #expect(response.status == .ok, "\(uri)")
                let html = text(response)
                #expect(html.contains("<h1>Find a person</h1>") && html.contains("<form method=\"post\" action=\"/ui/persons\""), "\(uri)")
                #expect(!html.contains("Reyes") && !html.contains("PP-1"), "\(uri)")
                #expect(html.contains("id=\"old-link\"") == (uri != "/ui/persons"), "\(uri)")
            }
            #expect(!text(try await client.execute(uri: "/ui/persons/MO1234567", method: .get, headers: cookies(session: officer))).contains("MO1234567"),
                    "the old link's number is not echoed")
            #expect(try await harness.auditEntries() == before, "nothing looked up, nothing recorded")
            // Another session's token, a planted one, or none: refused, nothing read.
            let analyst = try await harness.issuer.analystToken()
            for csrf in [try await sessionCSRF(client, session: analyst), testCSRF, ""] {
                let (headers, body) = form([("csrf", csrf), ("identifier", "MO1234567")], cookies: cookies(session: officer, csrf: testCSRF))
                let response = try await client.execute(uri: "/ui/persons", method: .post, headers: headers, body: body)
                #expect(response.status == .forbidden)
                #expect(!text(response).contains("Reyes"))
            }
            #expect(try await harness.auditEntries() == before)
            let posted = try await postForm(client, "/ui/persons", session: officer, "identifier=MO1234567")
            #expect(posted.status == .ok && text(posted).contains("<h1>Person MO1234567</h1>"))
            #expect(try await harness.auditEntries() == before + 1)
        }
    }

    // MARK: - Escaping

    @Test("HTML in a view's fields is shown as text on every page, never run")
    func escapesHTML() async throws {
        var rows = Self.rows
        let hostile = "<script>alert(1)</script>"
        rows["caseload"] = ["MO-DOC-PP": [
            Self.caseRow("PP-9", stateId: "MO1234567", given: "<img src=x onerror=alert(2)>", family: hostile, start: "2025-01-02", risk: "high",
                         flags: #"[{"kind":"police_contact","date":"2026-11-20T10:00:00Z","sourceRecordId":"<b>R</b>","detail":"<i>x</i>"}]"#),
        ]]
        rows["police-releases"] = ["MO-KCPD": [Self.release("REL-9", stateId: "MO7654321", family: hostile, at: "2026-12-10T15:00:00Z", facilityName: "<b>F</b>")]]
        rows["warrant-checks"] = ["MO-DOC-WERDCC": [Self.check("REL-9", stateId: "MO7654321", releaseAt: "2026-12-10T15:00:00Z", deadline: "2026-12-03T15:00:00Z", told: hostile)]]
        let (harness, _) = try await Self.harness(rows)
        let officer = try await Self.officer(harness)
        let analyst = try await harness.issuer.analystToken()
        let coordinator = try await Self.coordinator(harness)
        try await harness.test { client in
            let person = text(try await postForm(client, "/ui/persons", session: officer, "identifier=MO1234567"))
            for (uri, token) in [("/ui/caseload", officer), ("/ui/persons", officer), ("/ui/releases", analyst), ("/ui/warrant-checks", coordinator)] {
                let html = uri == "/ui/persons" ? person : text(try await client.execute(uri: uri, method: .get, headers: cookies(session: token)))
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(uri)")
                #expect(!html.contains("<script>"), "\(uri)")
                #expect(!html.contains("<img") && !html.contains("<b>") && !html.contains("<i>"), "\(uri)")
            }
        }
    }
}

/// A row's person button as the view pages render it: a form that posts the identifier.
func personButton(_ identifier: String, _ label: String) -> String {
    "<input type=\"hidden\" name=\"identifier\" value=\"\(identifier)\"><button type=\"submit\">\(label)</button></form>"
}
