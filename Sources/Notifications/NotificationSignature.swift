import Kafka
import ServiceKit

/// How a notification on `bus.notifications` proves which service produced it: an
/// HMAC-SHA-256 of its exact bytes under a `NotificationSigningKey`, sent in two headers
/// beside the unchanged JSON body.
///
/// - `notification-key-id`: the key's `id`, so a consumer holding several keys (rotation)
///   picks the right one;
/// - `notification-signature`: the code as 64 lower-case hex digits.
///
/// The signed bytes are a fixed label, a NUL, then the body: the label keeps a signature from
/// being valid for anything else a key might one day sign. The body holds the notification's
/// id and recipient, so neither can be changed without breaking the signature.
public enum NotificationSignature {
    public static let signatureHeader = "notification-signature"
    public static let keyIdHeader = "notification-key-id"
    static let label = "reentrybus.bus-notification.v1"

    /// The two headers that sign `body` with `key`.
    public static func headers(signing body: [UInt8], with key: NotificationSigningKey) -> [KafkaHeader] {
        [
            KafkaHeader(key: keyIdHeader, value: key.id),
            KafkaHeader(key: signatureHeader, value: code(body, key).hexString),
        ]
    }

    /// Checks that `headers` sign `body` with one of `keys`; throws a `PoisonMessage` whose
    /// reason starts "notification signature missing" or "notification signature invalid"
    /// (it names the problem, never a value).
    public static func verify(_ body: [UInt8], headers: [KafkaHeader], keys: [NotificationSigningKey]) throws(PoisonMessage) {
        let keyId = try single(keyIdHeader, in: headers)
        let signature = try single(signatureHeader, in: headers)
        guard let key = keys.first(where: { $0.id == keyId }) else {
            throw PoisonMessage(reason: "notification signature invalid: signed with an unknown key (\(keyIdHeader) not among the verifying keys)")
        }
        guard let claimed = NotificationSigningKey.bytes(hex: signature), claimed.count == 32 else {
            throw PoisonMessage(reason: "notification signature invalid: header \(signatureHeader) is not 64 hex digits")
        }
        guard HMACSHA256.constantTimeEquals(claimed, code(body, key)) else {
            throw PoisonMessage(reason: "notification signature invalid: it does not match the notification's bytes")
        }
    }

    private static func code(_ body: [UInt8], _ key: NotificationSigningKey) -> [UInt8] {
        key.authenticationCode(for: Array(label.utf8) + [0] + body)
    }

    /// The value of a header that must be present once, in UTF-8.
    private static func single(_ name: String, in headers: [KafkaHeader]) throws(PoisonMessage) -> String {
        let found = headers.filter { $0.key == name }
        guard !found.isEmpty else { throw PoisonMessage(reason: "notification signature missing: no header \(name)") }
        guard found.count == 1, let value = found[0].stringValue else {
            throw PoisonMessage(reason: "notification signature invalid: header \(name) appears more than once or is not UTF-8")
        }
        return value
    }
}
