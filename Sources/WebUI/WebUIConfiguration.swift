import Foundation

/// What the web UI needs besides the gateway: who may sign in without a token (only `dev`'s
/// demo users), which time zone dates are shown in, and whether cookies are marked `Secure`.
/// Every setting has a safe default: no demo sign-in, Central time, automatic `Secure`.
public struct WebUIConfiguration: Sendable {
    /// A user the sign-in page offers by name, with the token it signs in with. Only `dev`
    /// (demo tokens it made itself) may set these: never configure them in production.
    public struct DemoUser: Sendable, Hashable {
        /// What the list shows, e.g. `probation officer (MO-DOC-PP)`.
        public var label: String
        /// The token's `sub`, which the form posts to choose the user.
        public var subject: String
        public var token: String

        public init(label: String, subject: String, token: String) {
            self.label = label
            self.subject = subject
            self.token = token
        }
    }

    /// The demo users the sign-in page lists. Default: none (sign in with a token only).
    public var demoUsers: [DemoUser]
    /// The time zone dates are shown in when the caller's agency has none in
    /// `agencyTimeZones`. The agency directory (`reference.agencies`) carries no time zone yet.
    /// Default: `America/Chicago`, the zone of the Missouri agencies the bus serves.
    public var timeZone: TimeZone
    /// Time zones by agency id, overriding `timeZone` for that agency's users. Default: none.
    public var agencyTimeZones: [String: TimeZone]
    /// Whether cookies carry `Secure`. nil (the default): yes, unless the gateway listens on a
    /// loopback address (plain http on one machine, as in `dev`); behind a TLS proxy on any
    /// other address the browser sees https, and the cookies must not travel without it.
    public var secureCookies: Bool?
    /// Most notifications the inbox page reads in one view (pages of the gateway's
    /// `maxPageSize`); every one read is shown and recorded. At least 1. Default: 1,000.
    public var maxInboxItems: Int
    /// Most rows a view page (caseload, releases, warrant checks) reads of one view (pages of
    /// the gateway's `maxPageSize`, each recorded); past it the page says there are more. At
    /// least 1. Default: 1,000.
    public var maxViewRows: Int
    /// The secret (at least 32 bytes) the forms' CSRF tokens are made with (HMAC-SHA256 of the
    /// session's token). nil (the default): a random key made when the UI starts, so a restart
    /// makes the forms of open pages expire ("The form had expired"), and several gateway
    /// instances behind one address need sticky sessions or the same key set here. Keep it
    /// secret, like a signing key; never log it.
    public var formKey: [UInt8]?

    public init(
        demoUsers: [DemoUser] = [], timeZone: TimeZone = TimeZone(identifier: "America/Chicago") ?? .gmt,
        agencyTimeZones: [String: TimeZone] = [:], secureCookies: Bool? = nil, maxInboxItems: Int = 1_000, maxViewRows: Int = 1_000,
        formKey: [UInt8]? = nil
    ) {
        self.formKey = formKey
        self.demoUsers = demoUsers
        self.timeZone = timeZone
        self.agencyTimeZones = agencyTimeZones
        self.secureCookies = secureCookies
        self.maxInboxItems = max(1, maxInboxItems)
        self.maxViewRows = max(1, maxViewRows)
    }

    /// `serve gateway`'s: no demo users, cookies always `Secure`. In production the gateway
    /// listens on loopback behind a TLS proxy (its default address is 127.0.0.1:8080), where
    /// the automatic choice would leave `Secure` off and a browser sent to `http://` would
    /// send the session, a bearer token, in clear text.
    public static var production: WebUIConfiguration { WebUIConfiguration(secureCookies: true) }

    /// The zone dates are shown in for a user of `agencyId`.
    public func timeZone(forAgency agencyId: String) -> TimeZone {
        agencyTimeZones[agencyId] ?? timeZone
    }
}
