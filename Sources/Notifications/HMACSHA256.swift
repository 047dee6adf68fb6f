import ServiceKit

/// HMAC-SHA-256 (RFC 2104) over ServiceKit's `SHA256`: the message authentication code that
/// signs notifications. Foundation on Linux offers none and the project takes no crypto
/// dependency for it; it is checked against the test vectors of RFC 4231.
public enum HMACSHA256 {
    /// SHA-256's block size: longer keys are hashed first, shorter ones padded with zeros.
    static let blockSize = 64

    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticationCode(for message: some Sequence<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        var block = key.count > blockSize ? digest(key) : Array(key)
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }

    /// Whether `a` equals `b`, in a time that depends only on their lengths (never on where
    /// they first differ), so a forger learns nothing from how long a rejection takes.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hash = SHA256()
        hash.update(bytes)
        return hash.finalize()
    }
}
