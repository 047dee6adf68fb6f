#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16), parsed with the C library's `inet_pton`,
/// which takes only the plain forms (`10.0.0.5`, `fe80::1`, `::ffff:10.0.0.5`): the shorthands
/// `inet_aton` also reads (`10.1`, `0x0a000005`, `012.0.0.5`) are not addresses here, so such a
/// host is treated as a name and checked by what it resolves to.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// `text` as an address; a bracketed IPv6 (`[::1]`, as in URLs) is accepted, a zone
    /// (`fe80::1%eth0`) is not.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        let string = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address an IPv6 one carries as `::ffff:a.b.c.d` (IPv4-mapped) or
    /// `64:ff9b::a.b.c.d` (NAT64's well-known prefix): a connection to it reaches that IPv4
    /// address, so it is judged as that address. Nil for anything else.
    public var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        let nat64: [UInt8] = [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
        let prefix = Array(bytes.prefix(12))
        guard prefix == mapped || prefix == nat64 else { return nil }
        return IPAddress(bytes: Array(bytes.suffix(4)))
    }

    /// The address a connection reaches: the embedded IPv4 address, else itself.
    public var canonical: IPAddress { embeddedIPv4 ?? self }

    /// The usual text (`10.0.0.5`, `fe80::1`), from `inet_ntop`.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address range in CIDR notation (`10.0.0.0/8`, `fc00::/7`); a bare address is the range of
/// that address alone (`/32`, `/128`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    /// Leading bits that must match: 0…32 (IPv4) or 0…128 (IPv6).
    public let prefixLength: Int

    /// Nil when `prefixLength` does not fit the address family. Bits past the prefix are
    /// cleared, so `10.1.2.3/8` is `10.0.0.0/8`.
    public init?(address: IPAddress, prefixLength: Int) {
        guard (0...address.bytes.count * 8).contains(prefixLength) else { return nil }
        self.address = IPAddress(bytes: Self.masked(address.bytes, prefixLength))!
        self.prefixLength = prefixLength
    }

    /// `ADDRESS/BITS` or a bare address; nil for anything else (a leading `+`, a sign, spaces
    /// or more than three digits in the length are refused).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        var length = address.bytes.count * 8
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(digits) else { return nil }
            length = bits
        }
        self.init(address: address, prefixLength: length)
    }

    /// Whether `candidate` lies in the range. Families never mix: an IPv4 range holds no IPv6
    /// address (compare `canonical` forms to judge an IPv4-mapped address as IPv4).
    public func contains(_ candidate: IPAddress) -> Bool {
        candidate.bytes.count == address.bytes.count && Self.masked(candidate.bytes, prefixLength) == address.bytes
    }

    public var description: String { "\(address)/\(prefixLength)" }

    static func masked(_ bytes: [UInt8], _ prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = min(max(prefixLength - index * 8, 0), 8)
            return keep == 8 ? byte : byte & ~(UInt8(0xFF) >> keep)
        }
    }
}
