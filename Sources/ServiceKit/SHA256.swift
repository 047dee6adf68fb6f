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
