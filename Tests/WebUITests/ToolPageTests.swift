import Audit
import Contracts
import Directory
import Feeds
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Notifications
import Policy
import Storage
import Synchronization
import Testing
import WebUI

/// The inbox's live updates and order, and the tool pages (safety check, feeds, audit search)
/// through Hummingbird's test client: each through the gateway's own policy and audit.
@Suite struct ToolPageTests {
    static let viewPolicy = try! ViewPolicy.bundled(catalog: catalog)

    /// The `after` position the inbox page gives its live stream.
    static func liveSource(_ html: String) throws -> String {
        let marker = "data-live-source=\""
        let start = try #require(html.range(of: marker)).upperBound
        return String(html[start...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    // MARK: - Live inbox

    @Test("the stream needs a valid session cookie: none or a forged one is a 401 and no stream")
    func streamNeedsTheCookie() async throws {
        let harness = try await UIHarness()
        let forged = try await harness.issuer.token(signedWith: .init())
        let bearer: HTTPFields = [.authorization: "Bearer \(try await harness.issuer.token())"]
        try await harness.test { client in
            for headers in [cookies(), cookies(session: forged), bearer] {
                let response = try await client.execute(uri: "/ui/stream", method: .get, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] != "text/event-stream")
                #expect(response.body.readableBytes == 0)
            }
        }
        #expect(try await harness.auditEntries() == 0)
    }

    @Test("the stream starts after what the inbox page showed: it pushes a notification stored after the page, not one before; the push is audited as the stream's")
    func streamStartsAfterThePage() async throws {
        let harness = try await UIHarness()
        let shown = arrest(minute: 1, summary: "Shown on the page")
        try await harness.store([shown])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let page = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            #expect(page.contains("Shown on the page"))
            let source = try Self.liveSource(page)
            #expect(source.hasPrefix("/ui/stream?after="))
            // Occurred before the one shown, arrives after the page was read: the stream brings it.
            let late = arrest(minute: -30, summary: "Arrived after the page")
            try await harness.store([late])
            let before = try await harness.auditEntries()
            // Shut down first: the stream writes what it has in hand and ends, so the test
            // client can read it whole.
            harness.gateway.shutdown.trigger()
            let stream = try await client.execute(uri: source, method: .get, headers: cookies(session: token))
            #expect(stream.status == .ok)
            #expect(stream.headers[.contentType] == "text/event-stream")
            let body = text(stream)
            #expect(body.contains("event: notification"))
            #expect(body.contains(late.id))
            #expect(!body.contains(shown.id))
            let entries = try await harness.ledger.entries(after: Int64(before))
            #expect(entries.count == 1)
            #expect(entries.first?.channel == .stream && entries.first?.requester.subject == "PP-KC-118")

            // A reconnect with the last event's id (as a browser's event source does) resumes after it.
            let lastId = try #require(body.split(separator: "\n").last { $0.hasPrefix("id: ") }).dropFirst(4)
            var resumeHeaders = cookies(session: token)
            resumeHeaders[HTTPField.Name("Last-Event-ID")!] = String(lastId)
            let resumed = text(try await client.execute(uri: source, method: .get, headers: resumeHeaders))
            #expect(!resumed.contains("event: notification"))
            let bad = try await client.execute(uri: "/ui/stream?after=not-a-position", method: .get, headers: cookies(session: token))
            #expect(bad.status == .badRequest)
        }
    }

    @Test("the card fragment: one card as the inbox renders it, escaped, with the acknowledge form; someone else's is a 404; no session a 401")
    func cardFragment() async throws {
        let harness = try await UIHarness()
        let mine = arrest(minute: 1, summary: "<b>Escaped</b> arrest")
        try await harness.store([mine])
        let token = try await harness.issuer.token()
        let analyst = try await harness.issuer.analystToken()
        try await harness.test { client in
            let csrf = try await sessionCSRF(client, session: token)
            let card = try await client.execute(uri: "/ui/notifications/\(mine.id)/card", method: .get, headers: cookies(session: token))
            #expect(card.status == .ok)
            let html = text(card)
            #expect(html.hasPrefix("<li class=\"card priority-urgent\" id=\"n-\(mine.id)\""))
            #expect(!html.contains("<html"))
            #expect(html.contains("&lt;b&gt;Escaped&lt;/b&gt; arrest"))
            #expect(html.contains("action=\"/ui/notifications/\(mine.id)/ack\""))
            #expect(html.contains("name=\"csrf\" value=\"\(csrf)\""), "the session's token, as on the inbox page")
            let theirs = try await client.execute(uri: "/ui/notifications/\(mine.id)/card", method: .get, headers: cookies(session: analyst))
            #expect(theirs.status == .notFound)
            #expect(!text(theirs).contains("Escaped"))
            let anonymous = try await client.execute(uri: "/ui/notifications/\(mine.id)/card", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("the inbox reads newest first from the database, across the gateway's pages")
    func inboxNewestFirstAcrossPages() async throws {
        let harness = try await UIHarness(maxPageSize: 2)
        // Stored in an order that is neither oldest nor newest first.
        let minutes = [3, 1, 5, 2, 4]
        try await harness.store(minutes.map { arrest(minute: $0, summary: "Arrest at minute \($0)") })
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let html = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            let positions = try (1...5).map { try #require(html.range(of: "Arrest at minute \($0)")).lowerBound }
            #expect(positions == positions.sorted(by: >), "minute 5 first, minute 1 last")
            #expect(html.contains("5 notifications, newest first."))
        }
    }

    @Test("an acknowledged notification shows as acknowledged, by whom and when, after a reload; its acknowledge button is gone")
    func acknowledgedAfterReload() async throws {
        let harness = try await UIHarness()
        let acked = arrest(minute: 1, summary: "Acknowledged one")
        let open = arrest(minute: 2, summary: "Open one")
        try await harness.store([acked, open])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let first = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            #expect(first.contains("action=\"/ui/notifications/\(acked.id)/ack\""))
            try await harness.acceptAcknowledgement(of: acked, at: "2025-06-15T16:00:00Z")
            for uri in ["/ui/inbox", "/ui/notifications/\(acked.id)"] {
                let reloaded = text(try await client.execute(uri: uri, method: .get, headers: cookies(session: token)))
                #expect(!reloaded.contains("action=\"/ui/notifications/\(acked.id)/ack\""), "\(uri)")
                // 16:00 UTC is 11:00 in Chicago (CDT).
                #expect(reloaded.contains("Acknowledged by officer:PP-KC-118 at <time datetime=\"2025-06-15T16:00:00Z\">Sun 15 Jun 2025, 11:00 CDT</time>."), "\(uri)")
            }
            let inbox = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            #expect(inbox.contains("action=\"/ui/notifications/\(open.id)/ack\""))
            // Version 2 names who acted for the recipient.
            try await harness.acceptAcknowledgement(of: open, at: "2025-06-15T17:00:00Z", actor: "PP-KC-204")
            let named = text(try await client.execute(uri: "/ui/notifications/\(open.id)", method: .get, headers: cookies(session: token)))
            #expect(named.contains("Acknowledged by officer:PP-KC-118 (PP-KC-204) at <time datetime=\"2025-06-15T17:00:00Z\">"))
        }
    }

    // MARK: - Safety check

    /// The safety check's answer for any address: a resident (whose name holds HTML) and an
    /// investigation whose summary is criminal intelligence. Records the questions asked.
    final class SafetySource: ViewSource {
        let asked = Mutex<[ViewQuery]>([])

        func rows(_ query: ViewQuery, asOf: Date) async throws -> [JSONValue] {
            asked.withLock { $0.append(query) }
            guard case .safetyCheck(let address, _, let radius) = query else { return [] }
            let row = """
                {"address": "\(address.uppercased())", "coordinatesFrom": "records", "radiusMeters": \(radius), "asOf": "2025-06-15T15:00:00Z",
                 "incidentWindowDays": 30,
                 "residents": [{"kind": "supervisee", "name": {"given": "<script>Darnell</script>", "family": "Reyes"}, "stateId": "MO1234567",
                                "personKey": "sid:MO1234567", "caseId": "PP-2024-0117"}],
                 "investigations": [{"investigationId": "INV-1", "leadAgencyId": "MO-KCPD", "summary": "Narcotics distribution", "reasons": ["within_area"],
                                     "namedResidents": [], "detailsWithheld": false}],
                 "incidents": []}
                """
            return [try JSONValue(parsing: Array(row.utf8))]
        }

        var questions: Int { asked.withLock { $0.count } }
    }

    @Test("the safety check answers an address through the views policy: the redacted answer, one audit entry; HTML escaped")
    func safetyCheckAnswers() async throws {
        let source = SafetySource()
        let harness = try await UIHarness(views: GatewayViews(source: source, policy: Self.viewPolicy))
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let form = text(try await client.execute(uri: "/ui/safety-check", method: .get, headers: cookies(session: token)))
            #expect(form.contains("<label for=\"address\">"))
            #expect(form.contains("<label for=\"radius\">"))
            #expect(form.contains("href=\"/ui/safety-check\" aria-current=\"page\""))
            #expect(source.questions == 0)

            let before = try await harness.auditEntries()
            let response = try await postForm(client, "/ui/safety-check", session: token, "address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110&radius=300")
            #expect(response.status == .ok)
            let html = text(response)
            #expect(source.asked.withLock { $0 } == [.safetyCheck(address: "4410 Troost Ave, Kansas City, MO 64110", coordinates: nil, radiusMeters: 300)])
            #expect(html.contains("4410 TROOST AVE, KANSAS CITY, MO 64110"))
            #expect(html.contains("within 300 m"))
            #expect(html.contains("&lt;script&gt;Darnell&lt;/script&gt; Reyes"))
            #expect(!html.contains("<script>Darnell"))
            #expect(html.contains("Investigation INV-1"))
            // Criminal intelligence needs a Part 23 subscription: withheld, and said so.
            #expect(!html.contains("Narcotics distribution"))
            #expect(html.contains("criminal_intelligence"))
            #expect(html.contains("No violent incident in the window."))
            #expect(try await harness.auditEntries() == before + 1)
            let entry = try #require(try await harness.ledger.entries(after: Int64(before)).first)
            #expect(entry.resource == "view.safety-check" && entry.outcome == .disclosed && entry.requester.subject == "PP-KC-118")

            // As a browser sends the form: spaces as "+", a comma as %2C.
            let browser = try await postForm(client, "/ui/safety-check", session: token, "address=4410+Troost+Ave%2C+Kansas+City%2C+MO+64110&radius=500")
            #expect(browser.status == .ok)
            #expect(source.asked.withLock { $0.last } == .safetyCheck(address: "4410 Troost Ave, Kansas City, MO 64110", coordinates: nil, radiusMeters: 500))
        }
    }

    @Test("an address or a state ID never travels in a URL: the tool forms are posted with the CSRF token, the answer is the POST's response (no redirect); a query string is ignored; a post without this session's token reads and records nothing")
    func toolFormsArePosted() async throws {
        let source = SafetySource()
        let harness = try await UIHarness(views: GatewayViews(source: source, policy: Self.viewPolicy))
        try await harness.store([arrest(minute: 1)])
        let officer = try await harness.issuer.token()
        var claims = TestIssuer.Claims()
        claims.sub = "AUD-9"
        claims.roles = ["auditor"]
        claims.purpose = "audit"
        let auditor = try await harness.issuer.token(claims)
        try await harness.test { client in
            let safetyForm = text(try await client.execute(uri: "/ui/safety-check", method: .get, headers: cookies(session: officer)))
            #expect(safetyForm.contains("<form method=\"post\" action=\"/ui/safety-check\""))
            #expect(safetyForm.contains("name=\"csrf\" value=\"\(try await sessionCSRF(client, session: officer))\""))
            let auditForm = text(try await client.execute(uri: "/ui/audit", method: .get, headers: cookies(session: auditor)))
            #expect(auditForm.contains("<form method=\"post\" action=\"/ui/audit\""))

            // An old bookmark or a link with the data in it: the empty form, nothing read.
            let old = try await client.execute(
                uri: "/ui/safety-check?address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110", method: .get, headers: cookies(session: officer))
            #expect(old.status == .ok && !text(old).contains("id=\"safety-answer\"") && !text(old).contains("value=\"4410"))
            let oldAudit = try await client.execute(uri: "/ui/audit?person=MO1234567", method: .get, headers: cookies(session: auditor))
            #expect(oldAudit.status == .ok && !text(oldAudit).contains("entries about"))
            #expect(source.questions == 0)
            #expect(try await harness.auditEntries() == 0)

            // Posted without this session's token (a planted cookie's value): refused, nothing read.
            for (uri, fields) in [("/ui/safety-check", "address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110"), ("/ui/audit", "person=MO1234567")] {
                var headers = cookies(session: uri == "/ui/audit" ? auditor : officer, csrf: testCSRF)
                headers[.contentType] = "application/x-www-form-urlencoded"
                let refused = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(testCSRF)&" + fields))
                #expect(refused.status == .forbidden, "\(uri)")
            }
            #expect(source.questions == 0)
            #expect(try await harness.auditEntries() == 0)

            // With it: the answer in the POST's own response.
            let answer = try await postForm(client, "/ui/safety-check", session: officer, "address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110")
            #expect(answer.status == .ok && text(answer).contains("id=\"safety-answer\""))
            let search = try await postForm(client, "/ui/audit", session: auditor, "person=MO1234567")
            #expect(search.status == .ok && text(search).contains("id=\"entries-heading\"") && text(search).contains("about MO1234567"))
        }
        #expect(source.questions == 1)
    }

    @Test("safety-check input that is too long or malformed: a message beside the field, nothing read, nothing recorded")
    func safetyCheckRefusesBadInput() async throws {
        let source = SafetySource()
        let harness = try await UIHarness(views: GatewayViews(source: source, policy: Self.viewPolicy))
        let token = try await harness.issuer.token()
        let long = String(repeating: "4410 Troost Ave ", count: 20) + ", Kansas City, MO 64110"
        let cases: [(query: String, field: String, says: String)] = [
            ("address=" + (long.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), "address", "too long for an address"),
            ("address=%3Cscript%3Ex%3C%2Fscript%3E", "address", "does not read as an address"),
            ("address=", "address", "Enter the address"),
            ("address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110&radius=abc", "radius", "whole number of metres"),
            ("address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110&radius=0", "radius", "from 1 to"),
        ]
        try await harness.test { client in
            for (query, field, says) in cases {
                let response = try await postForm(client, "/ui/safety-check", session: token, query)
                #expect(response.status == .badRequest, "\(query)")
                let html = text(response)
                #expect(html.contains("<p id=\"\(field)-error\" class=\"field-error\">"), "\(query)")
                #expect(html.contains(says), "\(query)")
                #expect(html.contains("aria-describedby=\"\(field)-help \(field)-error\" aria-invalid=\"true\""), "\(query)")
                #expect(!html.contains("<script>x"))
            }
        }
        #expect(source.questions == 0)
        #expect(try await harness.auditEntries() == 0)
    }

    @Test("a caller the views policy does not allow the safety check: a refusal page, the refusal recorded, no link in the menu")
    func safetyCheckRefusedToAnalyst() async throws {
        let source = SafetySource()
        let harness = try await UIHarness(views: GatewayViews(source: source, policy: Self.viewPolicy))
        let analyst = try await harness.issuer.analystToken()
        try await harness.test { client in
            let inbox = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: analyst)))
            #expect(!inbox.contains("href=\"/ui/safety-check\""))
            let response = try await postForm(client, "/ui/safety-check", session: analyst, "address=4410%20Troost%20Ave%2C%20Kansas%20City%2C%20MO%2064110")
            #expect(response.status == .forbidden)
            #expect(text(response).contains("Not allowed"))
        }
        #expect(source.questions == 0)
        let entries = try await harness.ledger.entries()
        #expect(entries.count == 1)
        #expect(entries.first?.isDenial == true && entries.first?.resource == "view.safety-check" && entries.first?.denialReason == .roleNotAllowed)
    }

    // MARK: - Feeds

    /// A feeds database as the feeds service leaves it: two police agencies in the directory,
    /// one publishing arrests, the other silent; the clock an hour after the last arrest.
    static func seededFeeds() async throws -> any StorageDatabase {
        let feeds = try SQLiteStorage.inMemory()
        _ = try await feeds.write { try StorageMigrator.migrate(FeedsStore.migrations, in: $0) }
        let joined: Int64 = 1_750_000_000_000
        try await feeds.write { transaction in
            let store = FeedsStore(transaction)
            for (id, name) in [("MO-KCPD", "Kansas City <Police>"), ("MO-STL-PD", "St. Louis Police")] {
                try DirectoryStore(transaction).describe(AgencyDescribed(
                    agencyId: id, kind: .police, name: name, jurisdiction: AgencyJurisdiction(state: "MO", places: ["Kansas City"])))
                try store.noteDescribed(id, at: joined)
            }
            for minute in 0..<3 {
                try store.recordEvent(FeedKey(agencyId: "MO-KCPD", topic: "police.arrests"), agencyKind: "police", at: joined + Int64(minute) * 60_000)
            }
            try store.advanceClock(to: joined + 62 * 60_000, tickId: "tick-1")
        }
        return feeds
    }

    @Test("feeds: an analyst sees the seeded coverage (agency × topic, events, last event, status); an officer is refused and has no link")
    func feedsCoverage() async throws {
        let feeds = try await Self.seededFeeds()
        let harness = try await UIHarness(views: GatewayViews(source: SafetySource(), policy: Self.viewPolicy, feeds: { feeds }))
        let analyst = try await harness.issuer.analystToken()
        let officer = try await harness.issuer.token()
        try await harness.test { client in
            let response = try await client.execute(uri: "/ui/feeds", method: .get, headers: cookies(session: analyst))
            #expect(response.status == .ok)
            let html = text(response)
            #expect(html.contains("href=\"/ui/feeds\" aria-current=\"page\""))
            let kcpd = try #require(html.components(separatedBy: "<tr ").first { $0.contains("<code>MO-KCPD</code>") && $0.contains("<code>police.arrests</code>") })
            #expect(kcpd.contains("<td>3</td>"))
            #expect(kcpd.contains("Sun 15 Jun 2025, 10:08 CDT"), "the last arrest, 15:08 UTC, in Chicago time")
            #expect(kcpd.contains("1 h 00 min"))
            #expect(kcpd.contains("status-ok"))
            let silent = try #require(html.components(separatedBy: "<tr ").first { $0.contains("<code>MO-STL-PD</code>") && $0.contains("<code>police.arrests</code>") })
            #expect(silent.contains("Never published"))
            #expect(html.contains("Kansas City &lt;Police&gt;"))
            #expect(html.contains("Ages are measured at the bus's latest clock tick, Sun 15 Jun 2025, 11:08 CDT."))

            let refused = try await client.execute(uri: "/ui/feeds", method: .get, headers: cookies(session: officer))
            #expect(refused.status == .forbidden)
            #expect(!text(refused).contains("MO-KCPD"))
            #expect(!text(refused).contains("href=\"/ui/feeds\""))
        }
    }

    // MARK: - Audit search

    @Test("audit search: an auditor sees who saw the person (disclosed and denied); the search is recorded; others are refused and that is recorded")
    func auditSearch() async throws {
        let harness = try await UIHarness()
        let officers = arrest(minute: 1)
        try await harness.store([officers])
        let officer = try await harness.issuer.token()
        let analyst = try await harness.issuer.analystToken()
        var claims = TestIssuer.Claims()
        claims.sub = "AUD-9"
        claims.agency = "MO-DOC-PP"
        claims.roles = ["auditor"]
        claims.purpose = "audit"
        let auditor = try await harness.issuer.token(claims)
        try await harness.test { client in
            // Something to find: the officer reads their inbox; the analyst tries the officer's notification.
            _ = try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: officer))
            _ = try await client.execute(uri: "/ui/notifications/\(officers.id)", method: .get, headers: cookies(session: analyst))
            let before = try await harness.auditEntries()

            let form = text(try await client.execute(uri: "/ui/audit", method: .get, headers: cookies(session: auditor)))
            #expect(form.contains("<label for=\"person\">State ID</label>"))
            #expect(form.contains("href=\"/ui/audit\" aria-current=\"page\""))
            #expect(try await harness.auditEntries() == before, "opening the form discloses nothing")

            let response = try await postForm(client, "/ui/audit", session: auditor, "person=+MO1234567+")
            #expect(response.status == .ok)
            let html = text(response)
            #expect(html.contains("2 entries about MO1234567"))
            let rows = html.components(separatedBy: "<tr").filter { $0.contains("<time") }
            #expect(rows.count == 2)
            #expect(rows.contains { $0.contains("<td>PP-KC-118</td>") && $0.contains("<td>api</td>") && $0.contains("Disclosed:") })
            #expect(rows.contains { $0.contains("<td>KCPD-A-204</td>") && $0.contains("Denied (not addressed to caller)") })
            let search = try #require(try await harness.ledger.entries(after: Int64(before)).last)
            #expect(search.resource == "audit.search" && search.outcome == .disclosed && search.requester.subject == "AUD-9")
            #expect(search.persons == [PersonIdentifier(identifier: "stateId", value: "MO1234567")])

            // The next search shows the first one.
            let again = text(try await postForm(client, "/ui/audit", session: auditor, "person=MO1234567"))
            #expect(again.contains("3 entries about MO1234567"))
            #expect(again.contains("<code>audit.search</code>"))

            // Malformed: beside the field, escaped, nothing read or recorded.
            let count = try await harness.auditEntries()
            let bad = try await postForm(client, "/ui/audit", session: auditor, "person=%3Cscript%3E")
            #expect(bad.status == .badRequest)
            #expect(text(bad).contains("<p id=\"person-error\" class=\"field-error\">"))
            #expect(text(bad).contains("value=\"&lt;script&gt;\""))
            #expect(!text(bad).contains("<script>"))
            #expect(try await harness.auditEntries() == count)

            // Anyone else: refused, no link, and the refusal recorded naming whom they asked about.
            for token in [officer, analyst] {
                let inbox = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
                #expect(!inbox.contains("href=\"/ui/audit\""))
                let refused = try await postForm(client, "/ui/audit", session: token, "person=MO1234567")
                #expect(refused.status == .forbidden)
                #expect(!text(refused).contains("PP-KC-118</td>"))
                let denial = try #require(try await harness.ledger.entries(after: Int64(count)).last)
                #expect(denial.isDenial && denial.resource == "audit.search" && denial.denialReason == .roleNotAllowed)
                #expect(denial.persons.map(\.value) == ["MO1234567"])
            }
        }
    }
}
