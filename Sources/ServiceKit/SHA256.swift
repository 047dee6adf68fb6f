internal import Crypto

/// SHA-256, for content hashes, deterministic ids and state checksums: swift-crypto's
/// (BoringSSL's, which uses the CPU's SHA instructions where it has them), behind the small
/// vocabulary the services use: bytes, text, rows (`update(row:)`) in, bytes out.
///
/// It hashes every consumed event (its content hash) and every notification (its signature),
/// so it sits on the hot path; the project's own implementation, replaced by this, cost about
/// 2 % of a replay's CPU.
public struct SHA256: Sendable {
    private var function = Crypto.SHA256()

    public init() {}

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { function.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        if handled == nil { function.update(data: Array(bytes)) }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        function.update(bufferPointer: buffer)
    }

    public mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { function.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    /// The 32-byte digest.
    public consuming func finalize() -> [UInt8] {
        Array(function.finalize())
    }

    /// A UUID-shaped id (version 8, "custom") from the first 16 bytes of the digest of `text`:
    /// the ids the services derive from what they are about (a notification from its source
    /// event, rule, scope and recipient; a tick from its minute), so a replay derives the same.
    public static func derivedUUID(_ text: String) -> String {
        var hash = SHA256()
        hash.update(text)
        var bytes = Array(hash.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.hexString
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// The digest of `text`'s UTF-8 bytes, as lower-case hex.
    public static func hex(_ text: String) -> String {
        var hash = SHA256()
        hash.update(text)
        return hash.finalize().hexString
    }
}

extension Array where Element == UInt8 {
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
