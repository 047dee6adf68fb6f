import Foundation
import ServiceKit

/// The secret with which services sign the notifications they produce and the inbox (and every
/// later consumer of `bus.notifications`) verifies them: HMAC-SHA-256, at least 32 bytes.
///
/// It comes from configuration, never from code. Its `id` (derived from the key, safe to show)
/// travels with each signature so that keys can rotate: a consumer holding the old and the new
/// key verifies both while producers switch. The key's bytes are never printed: `description`,
/// `debugDescription` and reflection (`dump`, string interpolation) show only its id.
public struct NotificationSigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The shortest key accepted, in bytes (the size of the HMAC-SHA-256 output).
    public static let minimumLength = 32

    let bytes: [UInt8]
    /// Identifies the key in the `notification-key-id` header: 16 hex digits of a hash of the
    /// key (no secret can be recovered from it).
    public let id: String

    /// A key from raw bytes; throws `.tooShort` under 32 bytes.
    public init(bytes: some Collection<UInt8>) throws(NotificationSigningKeyError) {
        guard bytes.count >= Self.minimumLength else { throw .tooShort(length: bytes.count) }
        self.init(checked: Array(bytes))
    }

    private init(checked bytes: [UInt8]) {
        self.bytes = bytes
        var hash = SHA256()
        hash.update("reentrybus.notification-key-id\u{0}")
        hash.update(bytes)
        id = Array(hash.finalize().prefix(8)).hexString
    }

    /// A key written in hex (when every character is a hex digit) or else base64, as it is
    /// kept in configuration; surrounding whitespace is ignored.
    public init(text: String) throws(NotificationSigningKeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        if trimmed.utf8.allSatisfy({ Self.value(ofHexDigit: $0) != nil }) {
            guard let bytes = Self.bytes(hex: trimmed) else { throw .oddHexLength(digits: trimmed.count) }
            try self.init(bytes: bytes)
        } else {
            guard let data = Data(base64Encoded: trimmed) else { throw .notHexOrBase64 }
            try self.init(bytes: Array(data))
        }
    }

    /// A fresh key from the system's secure random source: for `dev` and tests, where every
    /// service runs in one process and shares it. Services in separate processes need one key
    /// from configuration.
    public static func random() -> NotificationSigningKey {
        var generator = SystemRandomNumberGenerator()
        return NotificationSigningKey(checked: (0..<minimumLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "NotificationSigningKey(id: \(id), <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["id": id], displayStyle: .struct) }

    /// The authentication code of `message` under this key.
    func authenticationCode(for message: some Sequence<UInt8>) -> [UInt8] {
        HMACSHA256.authenticationCode(for: message, key: bytes)
    }

    static func bytes(hex: some StringProtocol) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(ofHexDigit: digits[index]), let low = value(ofHexDigit: digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(ofHexDigit digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why a notification signing key was refused. Never carries the key itself.
public enum NotificationSigningKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key has fewer than `NotificationSigningKey.minimumLength` bytes.
    case tooShort(length: Int)
    /// The text was empty (or only whitespace).
    case empty
    /// The text is hex digits of odd count, so not whole bytes.
    case oddHexLength(digits: Int)
    /// The text is neither hex digits nor base64.
    case notHexOrBase64

    public var description: String {
        switch self {
        case .tooShort(let length):
            "notification signing key: \(length) bytes is too short, at least \(NotificationSigningKey.minimumLength) are required"
        case .empty: "notification signing key: the value is empty"
        case .oddHexLength(let digits): "notification signing key: \(digits) hex digits do not make whole bytes"
        case .notHexOrBase64: "notification signing key: the value is neither hex nor base64"
        }
    }
}
