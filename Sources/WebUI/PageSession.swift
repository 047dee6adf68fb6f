import Foundation
import Gateway
import HTTPTypes
import Hummingbird

/// The browser's session and its CSRF token, both cookies of this gateway only.
///
/// - The session is the bearer token itself (`reentrybus_session`: HttpOnly, SameSite=Strict,
///   Path=/, Secure unless on loopback http): nothing is kept on the server, and every page
///   verifies it again with the gateway's `BearerAuthenticator`, so an expired or forged
///   token ends the session at once.
/// - The CSRF token (`reentrybus_csrf`: random, 256 bits, same attributes) is echoed in a hidden
///   field of every form; a POST whose field differs from the cookie changes nothing. With
///   SameSite=Strict another site's page cannot send the cookies at all; the echo guards
///   against a browser that ignores SameSite. A POST the browser says came from another origin
///   (`Sec-Fetch-Site` other than `same-origin`) is refused whatever its token: a page on a
///   sibling host of the same site can plant a CSRF cookie of its own and post its value, and
///   SameSite does not stop it (its requests are same-site).
struct PageSession: Sendable {
    static let sessionCookie = "reentrybus_session"
    static let csrfCookie = "reentrybus_csrf"
    /// Where a browser says which site a request came from (Fetch Metadata).
    static let secFetchSite = HTTPField.Name("sec-fetch-site")!

    let secure: Bool

    /// The longest token a session cookie carries: 4,096 bytes per cookie in browsers (RFC 6265
    /// §6.1's minimum), less the name and attributes.
    static let maxCookieToken = 3_900

    /// The session's token, if the request carries one (not yet verified).
    static func token(of request: Request) -> String? {
        request.cookies[sessionCookie].map(\.value).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The request's CSRF token when it carries a well-formed one.
    static func csrf(of request: Request) -> String? {
        guard let value = request.cookies[csrfCookie]?.value, value.utf8.count == 43, value.utf8.allSatisfy(isBase64URL) else { return nil }
        return value
    }

    /// The request's CSRF token, or a new one and the cookie that sets it.
    func csrfToken(for request: Request) -> (token: String, cookie: Cookie?) {
        if let token = Self.csrf(of: request) { return (token, nil) }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (token, cookie(Self.csrfCookie, token))
    }

    /// Whether `submitted` (a form's `csrf` field) is the request's CSRF cookie, compared in
    /// constant time, and the browser did not say the form came from another origin.
    static func csrfMatches(_ request: Request, submitted: String?) -> Bool {
        if let site = request.headers[secFetchSite], site != "same-origin" { return false }
        guard let expected = csrf(of: request), let submitted, submitted.utf8.count == expected.utf8.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, submitted.utf8) { difference |= a ^ b }
        return difference == 0
    }

    func sessionCookie(_ token: String) -> Cookie { cookie(Self.sessionCookie, token) }

    /// Removes the session from the browser.
    var endSession: Cookie {
        Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    private func cookie(_ name: String, _ value: String) -> Cookie {
        Cookie(name: name, value: value, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
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
