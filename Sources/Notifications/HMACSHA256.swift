internal import Crypto

/// HMAC-SHA-256 (RFC 2104), swift-crypto's: the message authentication code that signs
/// notifications. Checked against the test vectors of RFC 4231 in `NotificationsTests`.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticationCode(for message: some Sequence<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        var code = HMAC<Crypto.SHA256>(key: SymmetricKey(data: Array(key)))
        let handled: Void? = message.withContiguousStorageIfAvailable { code.update(data: UnsafeRawBufferPointer($0)) }
        if handled == nil { code.update(data: Array(message)) }
        return Array(code.finalize())
    }

    /// Whether `a` equals `b`, in a time that depends only on their lengths (never on where
    /// they first differ), so a forger learns nothing from how long a rejection takes.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
