import Crypto
import Foundation
import Gateway
import HTTPTypes
import Hummingbird

/// The browser's session and the CSRF tokens of its forms.
///
/// - The session is the bearer token itself (`__Host-reentrybus_session`: HttpOnly,
///   SameSite=Strict, Path=/, Secure; on loopback http, without Secure, `reentrybus_session`):
///   every page verifies it again with the gateway's
///   `BearerAuthenticator`, so an expired, forged or signed-out token (sign-out revokes it in
///   this gateway process, `BearerAuthenticator.revoke(token:)`) ends the session at once.
/// - A signed-in page's forms carry a CSRF token **bound to the session**: HMAC-SHA256, under
///   the UI's form key, of the session's token. Only someone holding the session cookie (which
///   no script and no other host can read) or the key (which never leaves the process) can
///   make it, so a sibling host of the same site that plants cookies of its own still cannot
///   post a form this session accepts. The `__Host-` prefix makes browsers refuse such a cookie
///   set by any other host (it must come from this host, Secure, Path=/, with no Domain): a
///   sibling cannot plant a session of its own (the victim would act, and be audited, as the
///   attacker), nor shadow this one with a cookie of the same name.
/// - Before a session exists (the sign-in form) there is nothing to bind to: the form's token
///   is the HMAC of a random pre-session cookie (`__Host-reentrybus_csrf`: 256 bits, same attributes)
///   under the same key, in another domain of the HMAC than session tokens, so neither kind
///   ever passes for the other; the cookie is removed at sign-in. On loopback http (no prefix)
///   a sibling host could plant such a pair (a login CSRF); SameSite=Strict and the Fetch
///   Metadata check below stop that there.
/// - A POST the browser says came from another origin (`Sec-Fetch-Site` other than
///   `same-origin`) is refused whatever its token.
///
/// Tokens are compared in constant time.
struct PageSession: Sendable {
    static let sessionCookie = "reentrybus_session"
    static let csrfCookie = "reentrybus_csrf"
    /// The prefix browsers accept only from this very host, over TLS, for the whole site.
    static let hostPrefix = "__Host-"
    /// Where a browser says which site a request came from (Fetch Metadata).
    static let secFetchSite = HTTPField.Name("sec-fetch-site")!

    /// Which form a CSRF token is for: what it is bound to.
    enum Binding: String {
        /// A signed-in page's forms: bound to the session's token.
        case session
        /// The sign-in form: bound to the pre-session cookie.
        case signIn = "sign-in"
    }

    let secure: Bool
    /// The HMAC key of the forms' tokens (`WebUIConfiguration.formKey`, else random per process).
    let formKey: SymmetricKey

    /// The longest token a session cookie carries: 4,096 bytes per cookie in browsers (RFC 6265
    /// §6.1's minimum), less the name and attributes.
    static let maxCookieToken = 3_900

    /// The session cookie's name: `__Host-` prefixed when Secure (browsers take the prefix only
    /// over TLS).
    var sessionCookieName: String { secure ? Self.hostPrefix + Self.sessionCookie : Self.sessionCookie }
    var csrfCookieName: String { secure ? Self.hostPrefix + Self.csrfCookie : Self.csrfCookie }

    /// The session's token, if the request carries one under this session's cookie name (not
    /// yet verified); a cookie of the unprefixed name, which any host of the site can set, is
    /// not read when the cookies are Secure.
    func token(of request: Request) -> String? {
        request.cookies[sessionCookieName].map(\.value).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The request's pre-session cookie when it carries a well-formed one.
    func preSession(of request: Request) -> String? {
        guard let value = request.cookies[csrfCookieName]?.value, value.utf8.count == 43, value.utf8.allSatisfy(Self.isBase64URL) else { return nil }
        return value
    }

    /// The CSRF token of `binding` for `value` (the session's token, or the pre-session cookie).
    func formToken(_ binding: Binding, for value: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data((binding.rawValue + "\u{0}" + value).utf8), using: formKey)
        return Self.base64URL(Data(code))
    }

    /// The CSRF token of a page's forms: bound to the session when `signedIn` (the page's caller
    /// was verified from the session cookie), else to the pre-session cookie, made with its
    /// `Set-Cookie` when the request has none.
    func csrfToken(for request: Request, signedIn: Bool) -> (token: String, cookie: Cookie?) {
        if signedIn, let session = token(of: request) { return (formToken(.session, for: session), nil) }
        if let preSession = preSession(of: request) { return (formToken(.signIn, for: preSession), nil) }
        var generator = SystemRandomNumberGenerator()
        let preSession = Self.base64URL(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        return (formToken(.signIn, for: preSession), cookie(csrfCookieName, preSession))
    }

    /// Whether `submitted` (a form's `csrf` field) is the token of `binding` for this request's
    /// session or pre-session cookie, compared in constant time, and the browser did not say the
    /// form came from another origin.
    func csrfMatches(_ request: Request, submitted: String?, binding: Binding) -> Bool {
        if let site = request.headers[Self.secFetchSite], site != "same-origin" { return false }
        let bound: String? = switch binding {
        case .session: token(of: request)
        case .signIn: preSession(of: request)
        }
        guard let bound, let submitted else { return false }
        let expected = formToken(binding, for: bound)
        guard submitted.utf8.count == expected.utf8.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, submitted.utf8) { difference |= a ^ b }
        return difference == 0
    }

    func sessionCookie(_ token: String) -> Cookie { cookie(sessionCookieName, token) }

    /// Removes the session from the browser.
    var endSession: Cookie { removal(sessionCookieName) }

    /// Removes the pre-session cookie (at sign-in: the session's forms do not use it).
    var endPreSession: Cookie { removal(csrfCookieName) }

    private func removal(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    private func cookie(_ name: String, _ value: String) -> Cookie {
        Cookie(name: name, value: value, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Whether `host` (the gateway's listen address) is loopback: `127.0.0.0/8`, `::1`, `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// Whether `token` can be a cookie value at all (a JWT's base64url parts and dots); anything
    /// else is refused before it reaches the authenticator or a `Set-Cookie` header.
    static func isCookieSafe(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { isBase64URL($0) || $0 == UInt8(ascii: ".") }
    }
}
