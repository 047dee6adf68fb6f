import Contracts
import Crypto
import Foundation
import Gateway
import Hummingbird
import Logging
import Notifications

/// The pages' handlers. Each answers with a page whatever happens (never problem details):
/// no valid session → the sign-in page; a notification that is not the caller's → the same
/// plain not-found as one that does not exist; the inbox unreadable → a page that says so,
/// without internals.
struct PageHandlers: Sendable {
    let gateway: Gateway
    let configuration: WebUIConfiguration
    let templates: PageTemplates
    let session: PageSession
    let logger = Logger(label: "reentrybus.webui")

    /// Largest form body: a token of the authenticator's limit, URL-encoded, and a little more.
    let maxFormBytes: Int

    init(gateway: Gateway, configuration: WebUIConfiguration, templates: PageTemplates, formKey: SymmetricKey) {
        self.gateway = gateway
        self.configuration = configuration
        self.templates = templates
        session = PageSession(secure: configuration.secureCookies ?? !PageSession.isLoopback(gateway.configuration.host), formKey: formKey)
        maxFormBytes = gateway.configuration.authentication.maxTokenBytes * 3 + 1_024
    }

    /// The signed-in caller, verified now; nil when there is no session or its token no longer
    /// verifies (expired, forged, another issuer's, signed out).
    func caller(of request: Request) async -> Caller? {
        guard let token = session.token(of: request), PageSession.isCookieSafe(token) else { return nil }
        return await gateway.authenticator.caller(token: token)
    }

    /// Back to sign-in, ending a session that no longer verifies (`ended` says so on the page).
    func toSignIn(_ request: Request) -> Response {
        let hadSession = session.token(of: request) != nil
        return PageResponse.redirect(to: hadSession ? "/ui/sign-in?ended=1" : "/ui/sign-in", cookies: hadSession ? [session.endSession] : [])
    }

    // MARK: - Sign-in

    func signInPage(_ request: Request, context: some RequestContext) async -> Response {
        if await caller(of: request) != nil { return PageResponse.redirect(to: "/ui/inbox") }
        let parameters = request.uri.queryParameters
        var message: String?
        if parameters["ended"] != nil { message = "Your session ended or its token is no longer valid. Sign in again." }
        if parameters["signed-out"] != nil { message = "You signed out." }
        return signInForm(request, status: .ok, message: message, tokenError: nil, cookies: [])
    }

    func signInForm(_ request: Request, status: HTTPResponse.Status, message: String?, tokenError: String?, cookies: [Cookie]) -> Response {
        let csrf = session.csrfToken(for: request, signedIn: false)
        var values: [String: Any] = [
            "csrf": csrf.token, "maxTokenBytes": gateway.configuration.authentication.maxTokenBytes,
            "demoUsers": configuration.demoUsers.map { ["label": $0.label, "subject": $0.subject] as [String: Any] },
            "hasDemoUsers": !configuration.demoUsers.isEmpty,
        ]
        if let message { values["message"] = message }
        if let tokenError { values["tokenError"] = tokenError }
        return page(status, "signin", values, title: "Sign in", caller: nil, csrf: csrf.token, cookies: cookies + [csrf.cookie].compactMap { $0 })
    }

    struct SignInForm: Decodable {
        var csrf: String?
        var demo: String?
        var token: String?
    }

    func signIn(_ request: Request, context: some RequestContext) async -> Response {
        let form: SignInForm
        do {
            form = try await Self.form(SignInForm.self, of: request, limit: maxFormBytes)
        } catch {
            return signInForm(request, status: error.status, message: nil, tokenError: error.message, cookies: [])
        }
        guard session.csrfMatches(request, submitted: form.csrf, binding: .signIn) else {
            return signInForm(request, status: .forbidden, message: "The form had expired. Try again.", tokenError: nil, cookies: [])
        }
        let token: String
        if let subject = form.demo {
            guard let user = configuration.demoUsers.first(where: { $0.subject == subject }) else {
                return signInForm(request, status: .badRequest, message: "There is no such demo user. Choose one from the list.", tokenError: nil, cookies: [])
            }
            token = user.token
        } else {
            let pasted = (form.token ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !pasted.isEmpty else {
                return signInForm(request, status: .badRequest, message: nil, tokenError: "Paste a token to sign in.", cookies: [])
            }
            guard pasted.utf8.count <= gateway.configuration.authentication.maxTokenBytes else {
                return signInForm(
                    request, status: .badRequest, message: nil,
                    tokenError: "That is too long for a token (at most \(gateway.configuration.authentication.maxTokenBytes) characters).", cookies: [])
            }
            token = pasted
        }
        // Browsers keep cookies of at most 4,096 bytes (name and attributes included): a longer
        // token would be dropped silently and every page would ask to sign in again.
        guard token.utf8.count <= PageSession.maxCookieToken else {
            return signInForm(
                request, status: .badRequest, message: nil,
                tokenError: "This token is too long to keep in a browser (at most \(PageSession.maxCookieToken) characters). Ask for a shorter one.", cookies: [])
        }
        // The same message for every reason a token fails, as the API's one 401.
        guard PageSession.isCookieSafe(token), await gateway.authenticator.caller(token: token) != nil else {
            return signInForm(
                request, status: .unauthorized, message: nil,
                tokenError: "This token was not accepted: it may have expired, or not be one of this gateway's issuer.", cookies: [])
        }
        return PageResponse.redirect(to: "/ui/inbox", cookies: [session.sessionCookie(token), session.endPreSession])
    }

    struct CSRFForm: Decodable {
        var csrf: String?
    }

    /// Ends the session: its token is revoked in this gateway process until it expires (every
    /// page, `/v1` call and open live stream of it stops working here, not only this browser's
    /// cookie), and the cookie is removed.
    func signOut(_ request: Request, context: some RequestContext) async -> Response {
        // Signing out without a matching CSRF token is refused: another site must not end a session.
        guard await csrfChecked(request) else {
            return message(request, caller: await caller(of: request), status: .forbidden, title: "Not signed out",
                           text: "The form had expired. Reload the page and sign out again.")
        }
        if let token = session.token(of: request), PageSession.isCookieSafe(token) {
            await gateway.authenticator.revoke(token: token)
        }
        return PageResponse.redirect(to: "/ui/sign-in?signed-out=1", cookies: [session.endSession])
    }

    // MARK: - Inbox

    func inbox(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = PageDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        var cards: [NotificationCard] = []
        var cursor: InboxCursor?
        var truncated = false
        let liveFrom: ArrivalCursor?
        do {
            // Where the live stream starts, read before the page: whatever arrives after it is
            // the stream's to bring (one that arrives while the page is read is both shown and
            // streamed; the script recognises it by its id).
            liveFrom = try await gateway.latestArrival(for: caller)
            // Newest first from the inbox, a page at a time, each page recorded as the API's.
            repeat {
                let limit = min(gateway.configuration.maxPageSize, configuration.maxInboxItems - cards.count)
                let page = try await gateway.inboxPageNewestFirst(for: caller, before: cursor, limit: limit, requestId: context.id)
                cards += page.items.map { NotificationCard(visible: $0, dates: dates) }
                cursor = page.next
                truncated = cursor != nil && cards.count >= configuration.maxInboxItems
            } while cursor != nil && cards.count < configuration.maxInboxItems
        } catch {
            return problemPage(error, request: request, caller: caller)
        }
        let acknowledged = request.uri.queryParameters["acknowledged"].map(String.init).flatMap { UUID(uuidString: $0) != nil ? $0.lowercased() : nil }
        var values: [String: Any] = [
            "items": cards.map { $0.values(acknowledged: $0.visible.id == acknowledged) },
            "empty": cards.isEmpty,
            "countText": cards.count == 1 ? "1 notification" : "\(cards.count) notifications",
        ]
        if acknowledged != nil { values["flash"] = "Notification acknowledged." }
        if truncated { values["truncated"] = "This page shows your newest \(configuration.maxInboxItems) notifications; older ones are not shown." }
        values["liveSource"] = "/ui/stream" + (liveFrom.map { "?after=" + $0.token } ?? "")
        let csrf = session.csrfToken(for: request, signedIn: true)
        values["csrf"] = csrf.token
        return page(.ok, "inbox", values, title: "Inbox", caller: caller, csrf: csrf.token, cookies: [csrf.cookie].compactMap { $0 }, dates: dates)
    }

    func notification(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let id = context.parameters.get("id") ?? ""
        let dates = PageDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        let visible: VisibleNotification
        do {
            visible = try await gateway.notification(id: id, for: caller, requestId: context.id)
        } catch {
            return problemPage(error, request: request, caller: caller)
        }
        let csrf = session.csrfToken(for: request, signedIn: true)
        let values: [String: Any] = ["notification": NotificationCard(visible: visible, dates: dates).values(acknowledged: false), "csrf": csrf.token]
        return page(.ok, "notification", values, title: "Notification", caller: caller, csrf: csrf.token, cookies: [csrf.cookie].compactMap { $0 }, dates: dates)
    }

    func acknowledge(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        guard await csrfChecked(request) else {
            return message(request, caller: caller, status: .forbidden, title: "Not acknowledged",
                           text: "The form had expired. Reload the inbox and acknowledge again.")
        }
        let id = context.parameters.get("id") ?? ""
        let ack: NotificationAcknowledgement
        do {
            ack = try await gateway.acknowledge(notificationId: id, note: nil, by: caller, requestId: context.id)
        } catch {
            return problemPage(error, request: request, caller: caller)
        }
        return PageResponse.redirect(to: "/ui/inbox?acknowledged=\(ack.notificationId)#n-\(ack.notificationId)")
    }

    func notFound(_ request: Request, context: some RequestContext) async -> Response {
        message(request, caller: await caller(of: request), status: .notFound, title: "Not found", text: "There is nothing at this address.")
    }

    // MARK: - Rendering

    /// A gateway problem as a page: its status, and its detail where it was written for
    /// people (503: the inbox unreadable, the audit not recorded); 404 says nothing more.
    func problemPage(_ error: Problem, request: Request, caller: Caller) -> Response {
        switch error.status {
        case .notFound:
            return message(request, caller: caller, status: .notFound, title: "Not found", text: "There is nothing at this address for you.")
        case .unauthorized:
            return toSignIn(request)
        case .serviceUnavailable:
            return message(request, caller: caller, status: .serviceUnavailable, title: "Not available right now",
                           text: (error.detail ?? "The service is not available right now.") + " Try again in a minute.")
        default:
            return message(request, caller: caller, status: error.status, title: "Something went wrong",
                           text: "The request could not be completed. Try again; if it keeps failing, tell your system administrator.")
        }
    }

    func message(_ request: Request, caller: Caller?, status: HTTPResponse.Status, title: String, text: String) -> Response {
        let csrf = session.csrfToken(for: request, signedIn: caller != nil)
        let values: [String: Any] = [
            "heading": title, "text": text,
            "linkHref": caller == nil ? "/ui/sign-in" : "/ui/inbox", "linkText": caller == nil ? "Sign in" : "Back to the inbox",
        ]
        return page(status, "message", values, title: title, caller: caller, csrf: csrf.token, cookies: [csrf.cookie].compactMap { $0 })
    }

    func page(
        _ status: HTTPResponse.Status, _ template: String, _ values: [String: Any], title: String, caller: Caller?, csrf: String,
        cookies: [Cookie], dates: PageDates? = nil
    ) -> Response {
        let dates = dates ?? PageDates(timeZone: caller.map { configuration.timeZone(forAgency: $0.agencyId) } ?? configuration.timeZone)
        var layout: [String: Any] = ["title": title, "csrf": csrf, "timeZoneName": dates.zoneName, "inboxCurrent": template == "inbox"]
        if let caller {
            layout.merge(toolNavigation(for: caller, template: template)) { _, tool in tool }
            layout["user"] = [
                "subject": caller.subject, "agency": caller.agencyId,
                "roles": caller.roles.map(\.rawValue).sorted().joined(separator: ", "),
            ] as [String: Any]
            layout["viewLinks"] = viewLinks(for: caller, template: template)
        }
        guard let html = templates.render(template, values, layout: layout) else {
            logger.error("Page template missing", metadata: ["template": "\(template)"])
            return PageResponse.html(.internalServerError, "<!doctype html><title>Error</title><p>Something went wrong on our side.</p>")
        }
        return PageResponse.html(status, html, cookies: cookies)
    }

    // MARK: - Forms

    struct FormError: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    /// Why a signed-in page's posted form was not accepted: the page that says so.
    struct FormRefused: Error {
        var page: Response
    }

    /// A signed-in page's posted form (`caller`'s), of at most 4 KiB, read and matched against
    /// this session's CSRF token; the handler reads or records nothing unless it is returned.
    /// A body that is not the form is refused with a page of its status ("The form could not be
    /// read"), a token that is not this session's with a 403 saying `expired`, both titled
    /// `failed`.
    func postedForm<Form: SessionForm>(
        _ type: Form.Type, of request: Request, caller: Caller, failed title: String, expired: String
    ) async throws(FormRefused) -> Form {
        let form: Form
        do {
            form = try await Self.form(Form.self, of: request, limit: 4_096)
        } catch {
            throw FormRefused(page: message(
                request, caller: caller, status: error.status, title: title, text: "The form could not be read. Reload the page and try again."))
        }
        guard session.csrfMatches(request, submitted: form.csrf, binding: .session) else {
            throw FormRefused(page: message(request, caller: caller, status: .forbidden, title: title, text: expired))
        }
        return form
    }

    /// Whether a form that only carries `csrf` (sign out, acknowledge) came from a page of this
    /// session: a body that is not such a form fails the check like a wrong token.
    func csrfChecked(_ request: Request) async -> Bool {
        do {
            return session.csrfMatches(request, submitted: try await Self.form(CSRFForm.self, of: request, limit: 4_096).csrf, binding: .session)
        } catch {
            return false
        }
    }

    /// An `application/x-www-form-urlencoded` body of at most `limit` bytes.
    static func form<Form: Decodable>(_ type: Form.Type, of request: Request, limit: Int) async throws(FormError) -> Form {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw FormError(status: .unsupportedMediaType, message: "The form was not sent as a form. Use the page's button.")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw FormError(status: .contentTooLarge, message: "That is too long for a token.")
        }
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(decoding: buffer.readableBytesView, as: UTF8.self))
        } catch {
            throw FormError(status: .badRequest, message: "The form could not be read. Reload the page and try again.")
        }
    }
}

/// A form posted from a signed-in page: it carries the session's CSRF token (`PageSession`).
protocol SessionForm: Decodable {
    var csrf: String? { get }
}
