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
        let digest = hash.finalize()
        // Written straight into its 36 bytes (it is made for every notification a rule sends).
        var id: [UInt8] = []
        id.reserveCapacity(36)
        for index in 0..<16 {
            if index == 4 || index == 6 || index == 8 || index == 10 { id.append(UInt8(ascii: "-")) }
            let byte = switch index {
            case 6: (digest[index] & 0x0f) | 0x80  // version 8
            case 8: (digest[index] & 0x3f) | 0x80  // the RFC 4122 variant
            default: digest[index]
            }
            id.append(hexDigits[Int(byte >> 4)])
            id.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: id, as: UTF8.self)
    }

    /// The digest of `text`'s UTF-8 bytes, as lower-case hex.
    public static func hex(_ text: String) -> String {
        var hash = SHA256()
        hash.update(text)
        return hash.finalize().hexString
    }
}

/// Lower-case hexadecimal digits, by value.
private let hexDigits = Array("0123456789abcdef".utf8)

extension Array where Element == UInt8 {
    public var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
