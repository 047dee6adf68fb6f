import Foundation

/// The secret the web UI's forms are signed with (`gateway.form-key-file`): the HMAC key of the
/// CSRF tokens, which every gateway instance behind one address must share.
///
/// Written in hex (when every character is a hex digit) or else base64, at least 32 bytes
/// (`openssl rand -hex 32`). Like `Secret`, every printed form shows `********`: the bytes are
/// reachable only through `bytes`, for the web UI that signs with them.
public struct GatewayFormKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The shortest key accepted, in bytes (the size of the HMAC-SHA-256 output).
    public static let minimumLength = 32

    /// The key itself: only for the web UI, never for printing.
    public let bytes: [UInt8]

    /// A key from its text; the error says what is wrong without quoting the text.
    public init(text: String) throws(GatewayFormKeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes: [UInt8]
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isHexDigit) {
            guard trimmed.count.isMultiple(of: 2) else { throw .oddHexLength(digits: trimmed.count) }
            var decoded: [UInt8] = []
            var index = trimmed.startIndex
            while index < trimmed.endIndex {
                let next = trimmed.index(index, offsetBy: 2)
                guard let byte = UInt8(trimmed[index..<next], radix: 16) else { throw .notHexOrBase64 }
                decoded.append(byte)
                index = next
            }
            bytes = decoded
        } else {
            guard let data = Data(base64Encoded: trimmed) else { throw .notHexOrBase64 }
            bytes = Array(data)
        }
        guard bytes.count >= Self.minimumLength else { throw .tooShort(length: bytes.count) }
        self.bytes = bytes
    }

    public var description: String { Secret.mask }
    public var debugDescription: String { "GatewayFormKey(\(Secret.mask))" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Why a form key's text is not a key; never quotes the text.
public enum GatewayFormKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooShort(length: Int)
    case oddHexLength(digits: Int)
    case notHexOrBase64

    public var description: String {
        switch self {
        case .tooShort(let length):
            "holds a key of \(length) bytes; the form key needs at least \(GatewayFormKey.minimumLength) (make one with openssl rand -hex 32)"
        case .oddHexLength(let digits): "holds \(digits) hex digits, an odd number; a key is whole bytes (openssl rand -hex 32)"
        case .notHexOrBase64: "holds neither hex nor base64 text (make one with openssl rand -hex 32)"
        }
    }
}
