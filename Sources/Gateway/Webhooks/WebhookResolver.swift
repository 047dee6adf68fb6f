import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a webhook's host name into addresses, so they can be checked against the
/// `WebhookDestinationPolicy` before anything is sent. Injected (`WebhookConfiguration.resolver`)
/// so tests can make a name change its addresses after registration without real DNS.
public struct WebhookResolver: Sendable {
    /// The host's addresses, in the order a client would try them; throws when it has none or
    /// the lookup fails.
    public var resolve: @Sendable (_ host: String) async throws -> [IPAddress]

    public init(resolve: @escaping @Sendable (_ host: String) async throws -> [IPAddress]) {
        self.resolve = resolve
    }

    /// The system's resolver (`getaddrinfo`: /etc/hosts, then DNS), run on NIO's blocking-I/O
    /// thread pool, never on the cooperative pool.
    public static let system = WebhookResolver { host in
        try await NIOThreadPool.singleton.runIfActive { try lookUp(host) }
    }

    /// Fixed answers (`["hooks.example.test": ["10.0.0.5"]]`), for tests; an unknown host fails.
    public static func fixed(_ answers: [String: [IPAddress]]) -> WebhookResolver {
        WebhookResolver { host in
            guard let addresses = answers[host.lowercased()], !addresses.isEmpty else { throw LookupError(host: host, code: EAI_NONAME) }
            return addresses
        }
    }

    public struct LookupError: Error, Sendable, CustomStringConvertible {
        public var host: String
        public var code: Int32
        public var description: String { "\(host) did not resolve (getaddrinfo \(code))" }
    }

    static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, nil, &hints, &list)
        guard code == 0, let first = list else { throw LookupError(host: host, code: code) }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let entry = next {
            if let socketAddress = entry.pointee.ai_addr {
                switch Int32(socketAddress.pointee.sa_family) {
                case AF_INET:
                    let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let ip = withUnsafeBytes(of: address, { IPAddress(bytes: Array($0)) }) { addresses.append(ip) }
                case AF_INET6:
                    let address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let ip = withUnsafeBytes(of: address, { IPAddress(bytes: Array($0)) }) { addresses.append(ip) }
                default: break
                }
            }
            next = entry.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }
}

/// Where one delivery connects: the URL's host and the checked address it is pinned to.
///
/// What this closes and what it leaves: the address checked is the address connected to
/// (AsyncHTTPClient's `dnsOverride`, keyed by the host exactly as the client reads it from the
/// URL), so DNS rebinding between check and connection does not work, and redirects are not
/// followed. AsyncHTTPClient offers no custom resolver and no per-request override, only a
/// per-client map, so each delivery to a name gets its own client (a new connection and TLS
/// handshake per delivery). Left open: a host the operator allows by name is trusted whatever it
/// resolves to; only the first allowed address is tried (no fallback to the others).
struct WebhookDestination: Sendable, Hashable {
    /// The host as AsyncHTTPClient reads it from the URL (`URL.host`, IPv6 brackets trimmed):
    /// the key its `dnsOverride` matches.
    var host: String
    /// The address the connection must use; nil when the URL names an address itself (nothing
    /// is resolved, so nothing can change between the check and the connection).
    var pinned: IPAddress?

    /// Resolves `url`'s host (unless it is an address), checks every address against `policy`
    /// and picks the first one allowed.
    static func check(_ url: URL, policy: WebhookDestinationPolicy, resolver: WebhookResolver) async throws(WebhookDestinationRefusal) -> WebhookDestination {
        guard var host = URL(string: url.absoluteString)?.host, !host.isEmpty else {
            throw WebhookDestinationRefusal(reason: "has no host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let literal = IPAddress(host) {
            if let why = policy.refusal(of: literal) {
                throw WebhookDestinationRefusal(reason: "is an address webhooks may not go to unless the operator allows it (gateway.webhooks.allow): \(why)")
            }
            return WebhookDestination(host: host, pinned: nil)
        }
        let addresses: [IPAddress]
        do {
            addresses = try await resolver.resolve(host)
        } catch {
            throw WebhookDestinationRefusal(reason: "names host \(host), which did not resolve")
        }
        let permitted = try policy.permitted(addresses, of: host)
        return WebhookDestination(host: host, pinned: permitted.first)
    }
}
