import Foundation

/// Where webhook deliveries may go. An endpoint's URL is chosen by an agency's integrator, not by
/// the operator, so without a check the gateway could be made to send requests into the
/// operator's own network (cloud metadata at 169.254.169.254, admin services on private
/// addresses): server-side request forgery. By default deliveries go to public unicast
/// addresses only; the operator allows internal receivers by range (`10.20.0.0/16`) or host name
/// (`hooks.internal.example`), in `gateway.webhooks.allow`.
///
/// The policy judges addresses, not URLs: a host name is judged by the addresses it resolves to
/// (at registration and again at every delivery, see `WebhookDispatcher`), an IPv4-mapped or
/// NAT64 IPv6 address as the IPv4 address it reaches.
public struct WebhookDestinationPolicy: Sendable, Hashable {
    /// Ranges the operator allows although they are refused by default.
    public var allowedNetworks: [IPNetwork]
    /// Host names the operator allows whatever they resolve to (lowercased, no trailing dot).
    /// The operator then trusts that name's DNS.
    public var allowedHosts: Set<String>

    /// Public unicast addresses only (the default).
    public init(allowedNetworks: [IPNetwork] = [], allowedHosts: Set<String> = []) {
        self.allowedNetworks = allowedNetworks
        self.allowedHosts = Set(allowedHosts.map(Self.normalized))
    }

    /// The policy of `entries` as an operator writes them: each a range (`10.20.0.0/16`), an
    /// address (`10.20.0.5`) or a host name (`hooks.internal.example`).
    /// - Throws: the first entry that is none of them, with why.
    public init(allowing entries: [String]) throws(WebhookDestinationPolicy.EntryError) {
        var networks: [IPNetwork] = []
        var hosts: Set<String> = []
        for raw in entries {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            if let network = IPNetwork(entry) {
                networks.append(network)
            } else if entry.contains("/") || entry.contains(":") {
                throw EntryError(entry: entry, reason: "is not a CIDR range such as 10.20.0.0/16 or fd00::/8")
            } else if Self.isHostName(entry) {
                hosts.insert(Self.normalized(entry))
            } else {
                throw EntryError(entry: entry, reason: "is neither a CIDR range nor a host name")
            }
        }
        self.init(allowedNetworks: networks, allowedHosts: hosts)
    }

    /// Loopback allowed besides public addresses: what `dev` and the tests need (their receivers
    /// listen on 127.0.0.1).
    public static let allowingLoopback = WebhookDestinationPolicy(
        allowedNetworks: [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!], allowedHosts: ["localhost"])

    /// An entry of `gateway.webhooks.allow` that cannot be read.
    public struct EntryError: Error, Sendable, Hashable, CustomStringConvertible {
        public var entry: String
        public var reason: String
        public var description: String { "\"\(entry)\" \(reason)" }
    }

    /// The ranges refused unless allowed, each with what it is (for messages and dead letters).
    public static let refusedRanges: [(network: IPNetwork, name: String)] = {
        let table: [(String, String)] = [
        ("0.0.0.0/8", "unspecified (this network)"), ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "shared carrier-grade NAT"), ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local (cloud metadata)"), ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.0.0.0/24", "IETF protocol assignments"), ("192.0.2.0/24", "documentation"),
        ("192.168.0.0/16", "private (RFC 1918)"), ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"), ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"), ("255.255.255.255/32", "broadcast"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("100::/64", "discard-only"),
        ("2001:db8::/32", "documentation"), ("fc00::/7", "unique local (private)"),
        ("fe80::/10", "link-local"), ("fec0::/10", "site-local (deprecated)"), ("ff00::/8", "multicast"),
        ]
        return table.map { (network: IPNetwork($0.0)!, name: $0.1) }
    }()

    /// Why `address` is refused (`"link-local (cloud metadata) 169.254.169.254"`), or nil when
    /// deliveries may go there: a public address, or one in an allowed range.
    public func refusal(of address: IPAddress) -> String? {
        guard let range = refusedRange(of: address) else { return nil }
        let reached = address.canonical
        let shown = reached == address ? "\(address)" : "\(address) (\(reached))"
        return "\(range) \(shown)"
    }

    /// The name of the refused range `address` is in (`"private (RFC 1918)"`), or nil when
    /// deliveries may go there.
    func refusedRange(of address: IPAddress) -> String? {
        let reached = address.canonical
        if allowedNetworks.contains(where: { $0.contains(reached) || $0.contains(address) }) { return nil }
        return Self.refusedRanges.first(where: { $0.network.contains(reached) })?.name
    }

    /// Whether the operator allows `host` by name.
    public func allows(host: String) -> Bool { allowedHosts.contains(Self.normalized(host)) }

    /// The addresses of `host` deliveries may go to, in the order given; throws when none is
    /// allowed, naming the kinds of address refused but not the addresses: the caller gave a
    /// name, and what the gateway's resolver answers for it (an internal host's address) is
    /// the operator's to know. A host allowed by name keeps all its addresses.
    public func permitted(_ addresses: [IPAddress], of host: String) throws(WebhookDestinationRefusal) -> [IPAddress] {
        guard !allows(host: host) else { return addresses }
        guard !addresses.isEmpty else { throw WebhookDestinationRefusal(reason: "names host \(host), which has no address") }
        let allowed = addresses.filter { refusedRange(of: $0) == nil }
        guard allowed.isEmpty else { return allowed }
        let reasons = Array(Set(addresses.compactMap(refusedRange(of:)))).sorted()
        throw WebhookDestinationRefusal(
            reason: "names host \(host), which reaches only addresses webhooks may not go to unless the operator allows them "
                + "(gateway.webhooks.allow): \(reasons.joined(separator: ", "))")
    }

    static func normalized(_ host: String) -> String {
        var host = host.lowercased()
        while host.hasSuffix(".") { host.removeLast() }
        return host
    }

    static func isHostName(_ text: String) -> Bool {
        let labels = normalized(text).split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && text.utf8.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
        }
    }
}

/// Why a delivery may not go to a URL's host (no personal data: a host and its addresses).
public struct WebhookDestinationRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
