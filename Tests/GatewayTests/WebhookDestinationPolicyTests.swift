@testable import Gateway
import Testing

/// The destination policy as pure code: CIDR ranges on a table (IPv4, IPv6, mapped forms, the
/// edges), what is refused by default, and the operator's allow list.
@Suite struct WebhookDestinationPolicyTests {
    // MARK: - Ranges

    @Test("CIDR ranges: parsing, containment at the edges, families apart", arguments: [
        ("10.0.0.0/8", "10.0.0.0", true), ("10.0.0.0/8", "10.255.255.255", true), ("10.0.0.0/8", "11.0.0.0", false),
        ("10.0.0.0/8", "9.255.255.255", false), ("100.64.0.0/10", "100.127.255.255", true), ("100.64.0.0/10", "100.128.0.0", false),
        ("172.16.0.0/12", "172.31.0.1", true), ("172.16.0.0/12", "172.32.0.1", false), ("10.1.2.3/8", "10.9.9.9", true),
        ("0.0.0.0/0", "203.0.113.9", true), ("0.0.0.0/0", "::1", false), ("192.0.2.7", "192.0.2.7", true), ("192.0.2.7", "192.0.2.8", false),
        ("fc00::/7", "fd12:3456::1", true), ("fc00::/7", "fe00::1", false), ("fe80::/10", "febf:ffff::1", true), ("fe80::/10", "fec0::1", false),
        ("::1/128", "::1", true), ("::1/128", "::2", false), ("::/0", "2001:db8::1", true), ("::/0", "10.0.0.1", false),
        ("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true), ("2001:db8::/32", "2001:db9::", false),
        ("::ffff:0:0/96", "::ffff:10.0.0.5", true),
    ])
    func cidr(range: String, address: String, inside: Bool) throws {
        let network = try #require(IPNetwork(range), "\(range)")
        let candidate = try #require(IPAddress(address), "\(address)")
        #expect(network.contains(candidate) == inside, "\(range) ∋ \(address)")
    }

    @Test("plain http only to a loopback host: a name that starts like a loopback address resolves anywhere", arguments: [
        ("http://127.0.0.1:8999/hook", true), ("http://127.9.8.7/hook", true), ("http://[::1]:8080/hook", true), ("http://LOCALHOST/hook", true),
        ("http://[::ffff:127.0.0.1]/hook", true), ("http://127.attacker.example/hook", false), ("http://127.0.0.1.nip.io/hook", false),
        ("http://[::2]/hook", false), ("http://128.0.0.1/hook", false), ("http://localhost.attacker.example/hook", false),
    ])
    func plainHTTPOnlyToLoopback(url: String, accepted: Bool) {
        #expect(((try? WebhookRegistration.url(url)) != nil) == accepted, "\(url)")
    }

    @Test("malformed ranges and addresses are refused", arguments: [
        "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/-1", "10.0.0.0/0008", "10.0.0/8", "10.1", "0x0a000001",
        "012.0.0.1.5", "1.2.3.4 ", "fe80::1%eth0", "::ffff:1.2.3", "", "/8", "hooks.example",
    ])
    func malformed(text: String) {
        #expect(IPNetwork(text) == nil, "\(text)")
    }

    @Test("addresses print in their usual form; mapped and NAT64 ones carry their IPv4 address")
    func addressForms() throws {
        #expect(try #require(IPAddress("[::1]")).description == "::1")
        #expect(try #require(IPAddress("FE80::0001")).description == "fe80::1")
        #expect(try #require(IPAddress("::ffff:169.254.169.254")).embeddedIPv4 == IPAddress("169.254.169.254"))
        #expect(try #require(IPAddress("::ffff:a9fe:a9fe")).canonical == IPAddress("169.254.169.254"))
        #expect(try #require(IPAddress("64:ff9b::10.0.0.5")).canonical == IPAddress("10.0.0.5"))
        #expect(try #require(IPAddress("2001:db8::1")).embeddedIPv4 == nil)
    }

    // MARK: - The policy

    @Test("refused by default: loopback, private, link-local, CGNAT, unspecified, multicast, broadcast, documentation, and their mapped forms", arguments: [
        "127.0.0.1", "10.0.0.5", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
        "255.255.255.255", "192.0.2.1", "198.51.100.1", "203.0.113.1", "240.0.0.1", "198.18.0.1",
        "::", "::1", "fd00::1", "fc00::1", "fe80::1", "ff02::1", "2001:db8::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.5", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe",
    ])
    func refusedByDefault(address: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(WebhookDestinationPolicy().refusal(of: ip) != nil, "\(address)")
    }

    @Test("public unicast addresses are allowed", arguments: ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "100.128.0.1", "172.32.0.1"])
    func publicAllowed(address: String) throws {
        #expect(WebhookDestinationPolicy().refusal(of: try #require(IPAddress(address))) == nil, "\(address)")
    }

    @Test("the operator's allow list opens ranges and names, mapped forms included; unreadable entries are named")
    func allowList() throws {
        let policy = try WebhookDestinationPolicy(allowing: ["10.20.0.0/16", " fd00:20::/32 ", "Hooks.Internal.Example.", "169.254.169.254"])
        #expect(policy.refusal(of: IPAddress("10.20.3.4")!) == nil)
        #expect(policy.refusal(of: IPAddress("::ffff:10.20.3.4")!) == nil)
        #expect(policy.refusal(of: IPAddress("10.21.0.1")!)?.contains("private") == true)
        #expect(policy.refusal(of: IPAddress("fd00:20::9")!) == nil)
        #expect(policy.refusal(of: IPAddress("169.254.169.254")!) == nil)
        #expect(policy.refusal(of: IPAddress("169.254.169.253")!)?.contains("link-local") == true)
        #expect(policy.allows(host: "hooks.internal.example"))
        #expect(try policy.permitted([IPAddress("192.168.9.9")!], of: "HOOKS.internal.example") == [IPAddress("192.168.9.9")!])
        for bad in ["10.0.0.0/33", "fe80::zz", "hooks_internal", "", "-a.example"] {
            #expect(throws: WebhookDestinationPolicy.EntryError.self, "\(bad)") { _ = try WebhookDestinationPolicy(allowing: [bad]) }
        }
    }

    @Test("a name is delivered to its first allowed address; one that reaches only refused ones is refused, naming why")
    func namesResolved() throws {
        let policy = WebhookDestinationPolicy()
        let mixed = [IPAddress("10.0.0.5")!, IPAddress("93.184.215.14")!]
        #expect(try policy.permitted(mixed, of: "hooks.example") == [IPAddress("93.184.215.14")!])
        let error = #expect(throws: WebhookDestinationRefusal.self) {
            _ = try policy.permitted([IPAddress("169.254.169.254")!, IPAddress("fe80::1")!], of: "hooks.example")
        }
        #expect(error?.reason.contains("link-local (cloud metadata)") == true, "\(String(describing: error))")
        #expect(error?.reason.contains("gateway.webhooks.allow") == true)
        // What the resolver answered for the name is not the caller's to learn (internal DNS).
        #expect(error?.reason.contains("169.254") == false && error?.reason.contains("fe80") == false, "\(String(describing: error))")
    }
}
