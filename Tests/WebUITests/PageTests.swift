import Foundation
import Audit
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Notifications
import Testing
@testable import WebUI

/// The pages through Hummingbird's test client: sign-in and its cookies, every page's
/// re-verification of the session, the inbox as the API sees it (redaction, audit entry),
/// escaping, the plain not-found, CSRF on every form.
@Suite struct PageTests {
    static let setCookie = HTTPField.Name("set-cookie")!

    @Test("a demo user signs in: the session cookie is HttpOnly and SameSite=Strict, not Secure on loopback, and the inbox opens")
    func demoSignIn() async throws {
        let issuer = TestIssuer()
        let token = try await issuer.token()
        let harness = try await UIHarness(
            issuer: issuer, ui: WebUIConfiguration(demoUsers: [.init(label: "probation officer (MO-DOC-PP)", subject: "PP-KC-118", token: token)]))
        try await harness.test { client in
            let page = try await client.execute(uri: "/ui/sign-in", method: .get)
            #expect(page.status == .ok)
            #expect(text(page).contains("probation officer (MO-DOC-PP)"))
            let csrfCookie = try #require(page.headers[values: Self.setCookie].first { $0.hasPrefix("reentrybus_csrf=") })
            #expect(csrfCookie.contains("HttpOnly") && csrfCookie.contains("SameSite=Strict") && !csrfCookie.contains("Secure"))
            let preSession = String(csrfCookie.dropFirst("reentrybus_csrf=".count).prefix { $0 != ";" })
            let csrf = try csrfField(text(page))
            #expect(csrf != preSession, "the form's token is made from the cookie, not the cookie itself")

            let (headers, body) = form([("csrf", csrf), ("demo", "PP-KC-118")], cookies: cookies(csrf: preSession))
            let signedIn = try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: body)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/ui/inbox")
            let session = try #require(signedIn.headers[values: Self.setCookie].first { $0.hasPrefix("reentrybus_session=") })
            #expect(session.hasPrefix("reentrybus_session=\(token);"))
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/") && !session.contains("Secure"))
            #expect(signedIn.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_csrf=;") && $0.contains("Max-Age=0") },
                    "the pre-session cookie is not needed any more")

            let inbox = try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token))
            #expect(inbox.status == .ok)
            #expect(text(inbox).contains("Signed in as <strong>PP-KC-118</strong>"))
        }
    }

    @Test("cookies are Secure when the gateway listens beyond loopback (TLS at a proxy), and named __Host- so that no other host of the site can set them")
    func secureBeyondLoopback() async throws {
        let harness = try await UIHarness(host: "0.0.0.0")
        try await harness.test { client in
            let page = try await client.execute(uri: "/ui/sign-in", method: .get)
            let csrfCookie = try #require(page.headers[values: Self.setCookie].first { $0.hasPrefix("__Host-reentrybus_csrf=") })
            #expect(csrfCookie.contains("Secure") && csrfCookie.contains("Path=/") && !csrfCookie.contains("Domain"))
        }
    }

    /// A sibling host (`evil.agency.example`) can set `reentrybus_session` for the whole site
    /// with its own token: the victim would then act, and be audited, as the attacker. With
    /// Secure cookies only the `__Host-` one is read, which browsers accept from this host alone.
    @Test("with Secure cookies, a session planted under the unprefixed name is not a session")
    func aPlantedUnprefixedSessionIsIgnored() async throws {
        let harness = try await UIHarness(host: "0.0.0.0")
        try await harness.store([arrest(minute: 1)])
        let attacker = try await harness.issuer.token()
        try await harness.test { client in
            let planted = try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: attacker))
            #expect(planted.status == .seeOther)
            #expect(planted.headers[.location] == "/ui/sign-in")
            let own = try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: attacker, prefix: "__Host-"))
            #expect(own.status == .ok)
        }
    }

    @Test("serve gateway's pages mark cookies Secure though it listens on loopback: TLS ends at the proxy in front")
    func productionCookiesAreSecureOnLoopback() async throws {
        let harness = try await UIHarness(host: "127.0.0.1", ui: .production)
        try await harness.test { client in
            let page = try await client.execute(uri: "/ui/sign-in", method: .get)
            let csrfCookie = try #require(page.headers[values: Self.setCookie].first { $0.hasPrefix("__Host-reentrybus_csrf=") })
            #expect(csrfCookie.contains("Secure"))
        }
    }

    @Test("a form the browser says came from another origin (a sibling host that planted its own CSRF cookie) is refused, token or not")
    func crossOriginFormIsRefused() async throws {
        let harness = try await UIHarness()
        let officers = arrest(minute: 1)
        try await harness.store([officers])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let csrf = try await sessionCSRF(client, session: token)
            let uri = "/ui/notifications/\(officers.id)/ack"
            for site in ["same-site", "cross-site"] {
                var (headers, body) = form([("csrf", csrf)], cookies: cookies(session: token))
                headers[HTTPField.Name("sec-fetch-site")!] = site
                let refused = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
                #expect(refused.status == .forbidden, "\(site)")
            }
            #expect(harness.sink.sent.isEmpty)
            var (headers, body) = form([("csrf", csrf)], cookies: cookies(session: token))
            headers[HTTPField.Name("sec-fetch-site")!] = "same-origin"
            let done = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
            #expect(done.status == .seeOther)
        }
        #expect(harness.sink.sent.count == 1)
    }

    @Test("a pasted token that does not verify: a message beside the field, no session")
    func pastedForgedToken() async throws {
        let harness = try await UIHarness()
        let forged = try await harness.issuer.token(signedWith: .init())
        try await harness.test { client in
            let preSession = try await signInCSRF(client)
            let (headers, body) = form([("csrf", preSession.token), ("token", forged)], cookies: cookies(csrf: preSession.cookie))
            let response = try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: body)
            #expect(response.status == .unauthorized)
            #expect(text(response).contains("id=\"token-error\""))
            #expect(text(response).contains("aria-invalid=\"true\""))
            #expect(!response.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_session=") })
        }
    }

    @Test("sign-in without the CSRF token is refused")
    func signInWithoutCSRF() async throws {
        let harness = try await UIHarness()
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let (headers, body) = form([("csrf", testCSRF), ("token", token)], cookies: [:])
            let response = try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: body)
            #expect(response.status == .forbidden)
            #expect(!response.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_session=") })
        }
    }

    @Test("no session, a forged one or an expired one: every page leads back to sign-in, ending the session")
    func invalidSessions() async throws {
        let harness = try await UIHarness()
        let forged = try await harness.issuer.token(signedWith: .init())
        var expiredClaims = TestIssuer.Claims()
        expiredClaims.exp = Date().timeIntervalSince1970 - 3_600
        let expired = try await harness.issuer.token(expiredClaims)
        try await harness.test { client in
            let none = try await client.execute(uri: "/ui/inbox", method: .get)
            #expect(none.status == .seeOther)
            #expect(none.headers[.location] == "/ui/sign-in")
            for token in [forged, expired, "not-a-token", "a.b.c<script>"] {
                for uri in ["/ui/inbox", "/ui/notifications/\(UUID().uuidString.lowercased())"] {
                    let response = try await client.execute(uri: uri, method: .get, headers: cookies(session: token))
                    #expect(response.status == .seeOther, "\(uri)")
                    #expect(response.headers[.location] == "/ui/sign-in?ended=1")
                    #expect(response.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_session=;") && $0.contains("Max-Age=0") })
                }
            }
            let page = try await client.execute(uri: "/ui/sign-in?ended=1", method: .get)
            #expect(text(page).contains("Your session ended"))
        }
    }

    @Test("the inbox: newest first, priority and rule shown, why in <details>, the withheld line, one audit entry as the API's")
    func inboxPage() async throws {
        let harness = try await UIHarness()
        let older = arrest(minute: 1, summary: "Older arrest")
        let newer = arrest(minute: 30, summary: "Newer arrest")
        try await harness.store([older, newer])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let before = try await harness.auditEntries()
            let response = try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token))
            #expect(response.status == .ok)
            let html = text(response)
            let newerAt = try #require(html.range(of: "Newer arrest"))
            let olderAt = try #require(html.range(of: "Older arrest"))
            #expect(newerAt.lowerBound < olderAt.lowerBound)
            #expect(html.contains("Urgent"))
            #expect(html.contains("<code>supervisee-arrested</code>"))
            #expect(html.contains("<details class=\"why\">"))
            #expect(html.contains("You supervise this person (case PP-2024-0117)."))
            // Times in the default zone, America/Chicago: 1_750_001_800 is 15 Jun 2025, 15:36:40 UTC.
            #expect(html.contains("Sun 15 Jun 2025, 10:36 CDT"))
            #expect(html.contains("action=\"/ui/notifications/\(newer.id)/ack\""))
            // A fact holding an instant is shown in the zone too (22:40 in UTC-5 is 22:40 CDT).
            #expect(html.contains("<dt>Arrested at</dt><dd>Wed 11 Jun 2025, 22:40 CDT</dd>"))
            #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(try await harness.auditEntries() == before + 1)

            // The same caller through the API: the same notifications, the same kind of entry.
            let api = try await client.execute(uri: "/v1/inbox", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(api.status == .ok)
            #expect(try await harness.auditEntries() == before + 2)
            let entries = try await harness.ledger.verify()
            #expect(entries.isIntact)
        }
    }

    @Test("a caller whose agency's kind is unknown sees the withheld line, and no summary")
    func withheldLine() async throws {
        let harness = try await UIHarness()
        try await harness.store([arrest(minute: 1)])
        var claims = TestIssuer.Claims()
        claims.agencyKind = nil  // and the directory does not know MO-DOC-PP: public fields only
        let token = try await harness.issuer.token(claims)
        try await harness.test { client in
            let html = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            #expect(html.contains("Summary withheld"))
            #expect(!html.contains("Darnell Reyes"))
            #expect(html.contains("class=\"withheld\""))
            #expect(html.contains("fields withheld"))
        }
    }

    @Test("HTML in an event's fields is shown as text, never run")
    func escapesHTML() async throws {
        let harness = try await UIHarness()
        let hostile = BusNotification(
            recipient: .officer("PP-KC-118"), priority: .high, summary: "<script>alert('summary')</script>",
            reason: NotificationReason(rule: "supervisee-arrested", explanation: "<img src=x onerror=alert(1)>", matched: [MatchedIdentifier("stateId", "\"><script>x</script>")]),
            facts: [NotificationFact("<b>label</b>", "<script>fact</script>")], occurredAt: Date(timeIntervalSince1970: 1_750_000_000),
            subjectStateId: "MO1234567", sourceEventId: UUID().uuidString.lowercased(), sourceEventType: "police.arrest.made", recipientAgencyId: "MO-DOC-PP")
        try await harness.store([hostile])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            for uri in ["/ui/inbox", "/ui/notifications/\(hostile.id)"] {
                let html = text(try await client.execute(uri: uri, method: .get, headers: cookies(session: token)))
                #expect(html.contains("&lt;script&gt;alert(&#39;summary&#39;)&lt;/script&gt;"), "\(uri)")
                #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
                #expect(html.contains("&lt;script&gt;fact&lt;/script&gt;"))
                #expect(html.contains("&lt;b&gt;label&lt;/b&gt;"))
                #expect(!html.contains("<script>"), "\(uri)")
                #expect(!html.contains("<img"))
            }
        }
    }

    /// A Swift `Character` may join a markup character with its neighbour (a prepended U+0600
    /// before `<`, a combining accent after `"`); the library's own escaping looked characters
    /// up whole and let such clusters through. Searched as bytes: `String.contains` compares
    /// characters and would not find `<meta` inside the cluster.
    @Test("markup joined with a neighbouring scalar into one character is escaped too")
    func escapesMarkupInsideGraphemeClusters() async throws {
        let (prepend, accent) = ("\u{600}", "\u{301}")
        let harness = try await UIHarness()
        let hostile = BusNotification(
            recipient: .officer("PP-KC-118"), priority: .high, summary: prepend + "<meta http-equiv=refresh content=0;url=//evil.example" + prepend + ">",
            reason: NotificationReason(rule: "supervisee-arrested", explanation: "You supervise this person.", matched: [MatchedIdentifier("stateId", "MO1234567")]),
            facts: [NotificationFact("charge", "x\"" + accent + " hidden data-x=\"")], occurredAt: Date(timeIntervalSince1970: 1_750_000_000),
            subjectStateId: "MO1234567", sourceEventId: UUID().uuidString.lowercased(), sourceEventType: "police.arrest.made", recipientAgencyId: "MO-DOC-PP")
        try await harness.store([hostile])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            for uri in ["/ui/inbox", "/ui/notifications/\(hostile.id)"] {
                let html = Array(text(try await client.execute(uri: uri, method: .get, headers: cookies(session: token))).utf8)
                let (rawTag, escapedTag) = ("<meta http-equiv", "&lt;meta http-equiv")
                let (rawQuote, escapedQuote) = ("\"" + accent, "&quot;" + accent)
                // Booleans first: a failure prints them, not the page's bytes.
                let (tagLeaked, tagEscaped) = (html.containsBytes(of: rawTag), html.containsBytes(of: escapedTag))
                let (quoteLeaked, quoteEscaped) = (html.containsBytes(of: rawQuote), html.containsBytes(of: escapedQuote))
                #expect(!tagLeaked && tagEscaped, "\(uri): a tag opened by the summary")
                #expect(!quoteLeaked && quoteEscaped, "\(uri): a quote that would leave an attribute")
            }
        }
        let (joined, escaped) = (prepend + "<b>" + accent + "'&", prepend + "&lt;b&gt;" + accent + "&#39;&amp;")
        #expect(ScalarHTMLEscaping.escape(joined) == escaped)
        #expect(ScalarHTMLEscaping.escape("Darnell Reyes") == "Darnell Reyes")
    }

    @Test("a mention's digest (what a sealing order finds a notification by) is not shown; what matched is")
    func mentionDigestNotShown() async throws {
        let harness = try await UIHarness()
        let mention = NotificationMention.mention(stateId: "MO5550001")
        let contact = BusNotification(
            recipient: .officer("PP-KC-118"), priority: .routine, summary: "Police contact (traffic stop) with Marcus Reyes, household member of Darnell Reyes",
            reason: NotificationReason(rule: "supervisee-police-contact", explanation: "You supervise this person.", matched: [MatchedIdentifier("stateId", "MO1234567"), mention]),
            facts: [], occurredAt: Date(timeIntervalSince1970: 1_750_000_000),
            subjectStateId: "MO1234567", sourceEventId: UUID().uuidString.lowercased(), sourceEventType: "police.contact.recorded", recipientAgencyId: "MO-DOC-PP")
        try await harness.store([contact])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let html = text(try await client.execute(uri: "/ui/notifications/\(contact.id)", method: .get, headers: cookies(session: token)))
            #expect(html.contains("MO1234567"))
            #expect(!html.contains(mention.value))
            #expect(!html.contains(NotificationMention.identifier))
        }
    }

    @Test("another agency's notification: not in the inbox, its page a plain not-found like an id that does not exist; nothing disclosed, the attempt recorded as a denial")
    func otherAgency() async throws {
        let harness = try await UIHarness()
        let officers = arrest(minute: 1)
        try await harness.store([officers])
        let analyst = try await harness.issuer.analystToken()
        try await harness.test { client in
            let before = try await harness.auditEntries()
            let inbox = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: analyst)))
            #expect(!inbox.contains(officers.id))
            #expect(inbox.contains("Nothing for you yet."))
            // The same session, so the same CSRF token: the pages can be compared byte for byte.
            let browser = cookies(session: analyst)
            let theirs = try await client.execute(uri: "/ui/notifications/\(officers.id)", method: .get, headers: browser)
            let missing = try await client.execute(uri: "/ui/notifications/\(UUID().uuidString.lowercased())", method: .get, headers: browser)
            let malformed = try await client.execute(uri: "/ui/notifications/..%2F..%2Fetc", method: .get, headers: browser)
            for response in [theirs, missing, malformed] {
                #expect(response.status == .notFound)
                #expect(text(response).contains("There is nothing at this address for you."))
                #expect(!text(response).contains("Darnell"))
            }
            #expect(text(theirs) == text(missing))
            // The attempt on someone else's notification is one denial entry; the missing and
            // malformed ids are not anyone's record: nothing.
            #expect(try await harness.auditEntries() == before + 1)
            let denial = try #require(try await harness.ledger.entries(after: Int64(before)).last)
            #expect(denial.isDenial && denial.denialReason == .notAddressedToCaller && denial.disclosed.isEmpty)
        }
    }

    @Test("acknowledge: refused without the CSRF token; with it, one acknowledgement on bus.notification-acks and back to the inbox")
    func acknowledge() async throws {
        let harness = try await UIHarness()
        let officers = arrest(minute: 1)
        try await harness.store([officers])
        let token = try await harness.issuer.token()
        let analyst = try await harness.issuer.analystToken()
        try await harness.test { client in
            let uri = "/ui/notifications/\(officers.id)/ack"
            let csrf = try await sessionCSRF(client, session: token)
            let (noCSRFHeaders, noCSRFBody) = form([("csrf", String(csrf.reversed()))], cookies: cookies(session: token))
            let refused = try await client.execute(uri: uri, method: .post, headers: noCSRFHeaders, body: noCSRFBody)
            #expect(refused.status == .forbidden)
            #expect(harness.sink.sent.isEmpty)

            let (otherHeaders, otherBody) = form([("csrf", try await sessionCSRF(client, session: analyst))], cookies: cookies(session: analyst))
            let notTheirs = try await client.execute(uri: uri, method: .post, headers: otherHeaders, body: otherBody)
            #expect(notTheirs.status == .notFound)
            #expect(harness.sink.sent.isEmpty)

            let (headers, body) = form([("csrf", csrf)], cookies: cookies(session: token))
            let done = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/ui/inbox?acknowledged=\(officers.id)#n-\(officers.id)")
            let sent = harness.sink.sent
            #expect(sent.count == 1)
            #expect(sent.first?.topic == NotificationAcknowledgement.topic)
            let ackJSON = String(decoding: sent.first?.value ?? [], as: UTF8.self)
            #expect(ackJSON.contains(officers.id))

            let after = text(try await client.execute(uri: "/ui/inbox?acknowledged=\(officers.id)", method: .get, headers: cookies(session: token)))
            #expect(after.contains("Notification acknowledged."))
            #expect(!after.contains("action=\"/ui/notifications/\(officers.id)/ack\""))
        }
    }

    @Test("sign out: refused without the CSRF token; with it, the cookie is removed and the token is revoked here: pages, the stream and /v1 refuse it, another token of the same user still works")
    func signOut() async throws {
        let harness = try await UIHarness()
        try await harness.store([arrest(minute: 1)])
        let token = try await harness.issuer.token()
        var laterClaims = TestIssuer.Claims()
        laterClaims.exp += 60
        let other = try await harness.issuer.token(laterClaims)
        try await harness.test { client in
            let csrf = try await sessionCSRF(client, session: token)
            let (badHeaders, badBody) = form([], cookies: cookies(session: token))
            let refused = try await client.execute(uri: "/ui/sign-out", method: .post, headers: badHeaders, body: badBody)
            #expect(refused.status == .forbidden)
            #expect(!refused.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_session=") })
            #expect(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)).status == .ok)

            let (headers, body) = form([("csrf", csrf)], cookies: cookies(session: token))
            let out = try await client.execute(uri: "/ui/sign-out", method: .post, headers: headers, body: body)
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/ui/sign-in?signed-out=1")
            #expect(out.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_session=;") && $0.contains("Max-Age=0") })

            // A copy of the cookie (another tab, a stolen one) is worth nothing now.
            let page = try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token))
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/ui/sign-in?ended=1")
            #expect(try await client.execute(uri: "/ui/stream", method: .get, headers: cookies(session: token)).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: [.authorization: "Bearer \(token)"]).status == .unauthorized)
            let signIn = try await signInCSRF(client)
            let (again, againBody) = form([("csrf", signIn.token), ("token", token)], cookies: cookies(csrf: signIn.cookie))
            #expect(try await client.execute(uri: "/ui/sign-in", method: .post, headers: again, body: againBody).status == .unauthorized)

            #expect(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: other)).status == .ok)
            #expect(try await client.execute(uri: "/v1/inbox", method: .get, headers: [.authorization: "Bearer \(other)"]).status == .ok)
        }
    }

    @Test("sign-out ends the session's open live stream at once: nothing more is pushed or recorded")
    func signOutEndsTheStream() async throws {
        let harness = try await UIHarness()
        try await harness.store([arrest(minute: 1)])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let csrf = try await sessionCSRF(client, session: token)
            // From the inbox's beginning: the stored notification is pushed first.
            async let stream = client.execute(uri: "/ui/stream", method: .get, headers: cookies(session: token))
            await harness.streamed.wait { $0 >= 1 }
            let (headers, body) = form([("csrf", csrf)], cookies: cookies(session: token))
            #expect(try await client.execute(uri: "/ui/sign-out", method: .post, headers: headers, body: body).status == .seeOther)
            // Arrives after the sign-out: the ended stream must not bring it.
            try await harness.store([arrest(minute: 2)])
            // Should the sign-out not end the stream, graceful shutdown does after 20 s (and the
            // test fails below): a deadline, not a synchronisation.
            let deadline = Task {
                try await Task.sleep(for: .seconds(20))
                harness.gateway.shutdown.trigger()
            }
            let ended = try await stream
            deadline.cancel()
            #expect(!harness.gateway.shutdown.isTriggered, "the sign-out ended the stream, not the deadline")
            #expect(ended.status == .ok)
            #expect(text(ended).components(separatedBy: "event: notification").count == 2, "the one pushed before the sign-out")
            #expect(text(ended).hasSuffix(": signed out\n\n"))
        }
        #expect(harness.streamed.value == 1)
    }

    @Test("a CSRF token not made for this session is refused even when the browser sends no Fetch Metadata: a planted cookie posted back, another session's token, the sign-in form's; the page's own works")
    func csrfIsBoundToTheSession() async throws {
        let harness = try await UIHarness()
        let officers = arrest(minute: 1)
        try await harness.store([officers])
        let token = try await harness.issuer.token()
        let analyst = try await harness.issuer.analystToken()
        try await harness.test { client in
            let uri = "/ui/notifications/\(officers.id)/ack"
            let signIn = try await signInCSRF(client)
            let attempts: [(field: String, cookies: HTTPFields)] = [
                // A sibling host of the same site planted its own cookie and posts its value.
                (testCSRF, cookies(session: token, csrf: testCSRF)),
                (try await sessionCSRF(client, session: analyst), cookies(session: token)),
                (signIn.token, cookies(session: token, csrf: signIn.cookie)),
            ]
            for attempt in attempts {
                let (headers, body) = form([("csrf", attempt.field)], cookies: attempt.cookies)
                #expect(try await client.execute(uri: uri, method: .post, headers: headers, body: body).status == .forbidden)
            }
            // Sign-in with a planted cookie posted back as its token: no session.
            let (plantedHeaders, plantedBody) = form([("csrf", testCSRF), ("token", analyst)], cookies: cookies(csrf: testCSRF))
            let planted = try await client.execute(uri: "/ui/sign-in", method: .post, headers: plantedHeaders, body: plantedBody)
            #expect(planted.status == .forbidden)
            #expect(!planted.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_session=") })
            #expect(harness.sink.sent.isEmpty)

            let (headers, body) = form([("csrf", try await sessionCSRF(client, session: token))], cookies: cookies(session: token))
            #expect(try await client.execute(uri: uri, method: .post, headers: headers, body: body).status == .seeOther)
        }
        #expect(harness.sink.sent.count == 1)
    }

    @Test("UI answers carry nosniff and no-store: a page, a redirect, and the stream's bare 401")
    func securityHeaders() async throws {
        let harness = try await UIHarness()
        try await harness.store([arrest(minute: 1)])
        let token = try await harness.issuer.token()
        let nosniff = HTTPField.Name("x-content-type-options")!
        try await harness.test { client in
            let inbox = try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token))
            #expect(inbox.status == .ok)
            #expect(text(inbox).contains("MO1234567"), "the page carries personal data")
            #expect(inbox.headers[nosniff] == "nosniff")
            #expect(inbox.headers[.cacheControl] == "no-store")
            let redirect = try await client.execute(uri: "/ui", method: .get)
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers[nosniff] == "nosniff")
            let stream = try await client.execute(uri: "/ui/stream", method: .get)
            #expect(stream.status == .unauthorized)
            #expect(stream.headers[nosniff] == "nosniff")
            #expect(stream.headers[.cacheControl] == "no-store")
        }
    }

    @Test("the empty inbox says what to do; an unknown page under /ui is the UI's not-found; / leads to the inbox")
    func emptyAndUnknown() async throws {
        let harness = try await UIHarness()
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let empty = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            #expect(empty.contains("Nothing for you yet."))
            #expect(empty.contains("reload this page to check again"))
            let unknown = try await client.execute(uri: "/ui/no/such/page", method: .get, headers: cookies(session: token))
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "text/html; charset=utf-8")
            let root = try await client.execute(uri: "/", method: .get)
            #expect(root.status == .seeOther)
            #expect(root.headers[.location] == "/ui/inbox")
            let css = try await client.execute(uri: "/ui/assets/app.css", method: .get)
            #expect(css.status == .ok)
            #expect(text(css).contains("@media (max-width: 400px)"))
        }
    }

    @Test("agency time zones: a user of an agency with its own zone sees times in it")
    func agencyTimeZone() async throws {
        let harness = try await UIHarness(ui: WebUIConfiguration(agencyTimeZones: ["MO-DOC-PP": try #require(TimeZone(identifier: "America/Denver"))]))
        try await harness.store([arrest(minute: 30)])
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let html = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            #expect(html.contains("Sun 15 Jun 2025, 09:36 MDT"))
            #expect(html.contains("Times are shown in America/Denver."))
        }
    }

    @Test("past maxInboxItems the page shows the newest, says that older ones are not shown, and records only what it read")
    func truncatedInbox() async throws {
        let harness = try await UIHarness(ui: WebUIConfiguration(maxInboxItems: 2))
        let three = (1...3).map { arrest(minute: $0, summary: "Arrest \($0)") }
        try await harness.store(three)
        let token = try await harness.issuer.token()
        try await harness.test { client in
            let html = text(try await client.execute(uri: "/ui/inbox", method: .get, headers: cookies(session: token)))
            #expect(html.contains("2 notifications, newest first."))
            #expect(html.contains("older ones are not shown"))
            #expect(!html.contains("Arrest 1") && html.contains("Arrest 2") && html.contains("Arrest 3"))
        }
    }

    @Test("a token too long for a browser cookie is refused beside the field, before it is checked")
    func tokenTooLongForCookie() async throws {
        let harness = try await UIHarness()
        let long = String(repeating: "a", count: 2_000) + "." + String(repeating: "b", count: 2_000) + ".c"
        try await harness.test { client in
            let preSession = try await signInCSRF(client)
            let (headers, body) = form([("csrf", preSession.token), ("token", long)], cookies: cookies(csrf: preSession.cookie))
            let response = try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: body)
            #expect(response.status == .badRequest)
            #expect(text(response).contains("too long to keep in a browser"))
            #expect(!response.headers[values: Self.setCookie].contains { $0.hasPrefix("reentrybus_session=") })
        }
    }
}

extension [UInt8] {
    /// Whether these bytes hold `text`'s UTF-8 bytes in a row.
    fileprivate func containsBytes(of text: String) -> Bool {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
