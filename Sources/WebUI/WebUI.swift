import Crypto
import Gateway
import Hummingbird

/// The web UI: server-rendered pages on the gateway's router, for the people the bus serves
/// (officers, analysts, release coordinators), under the gateway's own authentication, access
/// policy and audit ledger. Set it on `GatewayConfiguration.pages`.
///
/// Pages (all under `/ui`, `/` leads to the inbox):
/// - `GET /ui/sign-in`, `POST /ui/sign-in`: choose a demo user (`dev` only) or paste a token;
///   the session is the token in an HttpOnly, SameSite=Strict cookie, verified again on every
///   page by the gateway's `BearerAuthenticator`.
/// - `POST /ui/sign-out`: revokes the session's token in this gateway process until it expires
///   (`BearerAuthenticator.revoke(token:)`), ending its open streams, and removes the cookie.
/// - `GET /ui/inbox`: the caller's notifications, newest first from the database (the
///   gateway's `inboxPageNewestFirst`, the same redaction and audit entry as `GET /v1/inbox`),
///   each acknowledged one with who acknowledged it and when; new ones appear live.
/// - `GET /ui/notifications/{id}`: one notification; someone else's is a plain not-found.
/// - `POST /ui/notifications/{id}/ack`: acknowledges (the gateway's `acknowledge`, as
///   `POST /v1/notifications/{id}/ack`).
/// - `GET /ui/caseload?sort=&order=&flag=`: an officer's supervisees (a supervisor's: the
///   agency's) with their flags and dates, sorted and filtered on the server.
/// - `GET /ui/releases`: the next 60 days of releases (police, a facility's board, reentry
///   services' high-needs list, as the views policy allows), a list and a calendar by week.
/// - `GET /ui/warrant-checks`: open warrant checks, the nearest deadline first, who was told.
/// - `POST /ui/persons` (`identifier` and the CSRF token, posted by the rows' person buttons and
///   the search form; the answer in the POST's response): what the caller may see of one person,
///   per view, and how many fields were withheld. `GET /ui/persons` is the search form, and so
///   is `GET /ui/persons/{identifier}` (the old address), which looks nothing up. The view
///   pages read through the gateway's `viewPage` and `personPage` (the policy, redaction and
///   audit entry of `GET /v1/views/…`); a refused view is a plain "not available for your
///   role" page.
/// - `GET /ui/stream`: the inbox's live updates (Server-Sent Events: the gateway's live
///   stream, by the session cookie); `GET /ui/notifications/{id}/card`: one card, which the
///   inbox's script inserts when the stream brings a notification.
/// - `GET /ui/safety-check`, `POST /ui/safety-check`: the officer-safety check (the address
///   form; the answer to its POST), as `GET /v1/views/safety-check`.
/// - `GET /ui/feeds`: the feeds' coverage map (admins, auditors, analysts, supervisors).
/// - `GET /ui/audit`, `POST /ui/audit`: who saw a person's data (auditors; anyone else is
///   refused, and that is recorded); the search itself is recorded. Both tools' forms are
///   posted with the CSRF token, so an address or a state ID never lands in a URL.
/// - `GET /ui/assets/app.css`, `GET /ui/assets/app.js`.
///
/// Every form carries a CSRF token bound to the session (an HMAC of the session's token under
/// the form key; the sign-in form's, of a pre-session cookie: `PageSession`). Sign-out revokes
/// the session's token in this gateway process. Every page is sent with a content security
/// policy that allows only this origin's stylesheet and script.
public struct WebUI: GatewayPages {
    public let configuration: WebUIConfiguration
    let templates: PageTemplates
    /// The forms' CSRF key: `configuration.formKey`, else random, made once here.
    let formKey: SymmetricKey

    /// - Throws: `WebUISetupError` when a built-in template does not parse (a broken build), or
    ///   `configuration.formKey` is shorter than 32 bytes.
    public init(configuration: WebUIConfiguration = WebUIConfiguration()) throws(WebUISetupError) {
        self.configuration = configuration
        templates = try PageTemplates()
        if let key = configuration.formKey {
            guard key.count >= 32 else { throw WebUISetupError(reason: "the form key must be at least 32 bytes (it has \(key.count))") }
            formKey = SymmetricKey(data: key)
        } else {
            formKey = SymmetricKey(size: .bits256)
        }
    }

    public func register(on router: Router<BasicRequestContext>, gateway: Gateway) {
        let pages = PageHandlers(gateway: gateway, configuration: configuration, templates: templates, formKey: formKey)
        router.get("/") { _, _ in PageResponse.redirect(to: "/ui/inbox") }
        router.get("/ui") { _, _ in PageResponse.redirect(to: "/ui/inbox") }
        router.get("/ui/sign-in") { request, context in await pages.signInPage(request, context: context) }
        router.post("/ui/sign-in") { request, context in await pages.signIn(request, context: context) }
        router.post("/ui/sign-out") { request, context in await pages.signOut(request, context: context) }
        router.get("/ui/inbox") { request, context in await pages.inbox(request, context: context) }
        router.get("/ui/notifications/{id}") { request, context in await pages.notification(request, context: context) }
        router.post("/ui/notifications/{id}/ack") { request, context in await pages.acknowledge(request, context: context) }
        // View pages
        router.get("/ui/caseload") { request, context in await pages.caseload(request, context: context) }
        router.get("/ui/releases") { request, context in await pages.releases(request, context: context) }
        router.get("/ui/warrant-checks") { request, context in await pages.warrantChecks(request, context: context) }
        router.get("/ui/persons") { request, context in await pages.personSearch(request, context: context) }
        router.get("/ui/persons/{identifier}") { request, context in await pages.personSearch(request, context: context) }
        router.post("/ui/persons") { request, context in await pages.person(request, context: context) }
        // Tool pages
        router.get("/ui/stream") { request, context in await pages.stream(request, context: context) }
        router.get("/ui/notifications/{id}/card") { request, context in await pages.card(request, context: context) }
        // Forms that carry personal data (an address, a state ID) are posted, never in a URL.
        router.get("/ui/safety-check") { request, context in await pages.safetyCheckForm(request, context: context) }
        router.post("/ui/safety-check") { request, context in await pages.safetyCheck(request, context: context) }
        router.get("/ui/feeds") { request, context in await pages.feeds(request, context: context) }
        router.get("/ui/audit") { request, context in await pages.auditForm(request, context: context) }
        router.post("/ui/audit") { request, context in await pages.auditSearch(request, context: context) }
        router.get("/ui/assets/app.css") { _, _ in PageResponse.asset(PageAssets.css, type: "text/css; charset=utf-8") }
        router.get("/ui/assets/app.js") { _, _ in PageResponse.asset(PageAssets.script, type: "text/javascript; charset=utf-8") }
        // Any other address under /ui: the UI's own not-found page rather than problem details.
        router.get("/ui/**") { request, context in await pages.notFound(request, context: context) }
    }
}

/// Why the web UI cannot start: a built-in template that does not parse (names it).
public struct WebUISetupError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "web UI: \(reason)" }
}
