import Contracts
import Crypto
import Foundation

/// An agency's webhook endpoint: where its notifications are delivered, the secret they are
/// signed with, which of them (event types, rules), and who registered it. Deliveries disclose
/// what the registrant's own inbox shows them: the same recipients, roles and purpose, through
/// the same access policy.
public struct WebhookEndpoint: Sendable, Hashable {
    /// A lowercase UUID.
    public var id: String
    public var agencyId: String
    public var url: URL
    /// `whsec_<base64 of 32 random bytes>` (Standard Webhooks); shown once, at registration.
    public var secret: String
    /// Source event types delivered (`police.arrest.made`); empty: all.
    public var eventTypes: [String]
    /// Routing rules delivered (`supervisee-arrested`); empty: all.
    public var rules: [String]
    /// Whose inbox it follows and with what rights.
    public var registrant: Caller
    public var createdAt: Date

    public init(
        id: String = UUID().uuidString.lowercased(), agencyId: String, url: URL, secret: String = WebhookSecret.generate(),
        eventTypes: [String] = [], rules: [String] = [], registrant: Caller, createdAt: Date = Date()
    ) {
        self.id = id
        self.agencyId = agencyId
        self.url = url
        self.secret = secret
        self.eventTypes = eventTypes
        self.rules = rules
        self.registrant = registrant
        self.createdAt = createdAt
    }

    /// Whether a notification is one this endpoint asked for.
    func wants(eventType: String, rule: String) -> Bool {
        (eventTypes.isEmpty || eventTypes.contains(eventType)) && (rules.isEmpty || rules.contains(rule))
    }
}

/// Why a registration is refused, naming the field.
public struct WebhookRegistrationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var description: String { "\(field) \(reason)" }
}

/// The rules a webhook's fields must meet.
public enum WebhookRegistration {
    public static let maxURLLength = 2_048
    public static let maxFilters = 50

    /// `text` as a delivery URL: `https`, or `http` to a loopback host only (tests, `dev`);
    /// no user name or password in it (the secret signs, nothing else authenticates).
    public static func url(_ text: String) throws(WebhookRegistrationError) -> URL {
        guard (1...maxURLLength).contains(text.utf8.count), let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty, let url = components.url
        else { throw WebhookRegistrationError(field: "url", reason: "is not an absolute URL of at most \(maxURLLength) bytes") }
        guard components.user == nil, components.password == nil else {
            throw WebhookRegistrationError(field: "url", reason: "must not carry a user name or password")
        }
        switch scheme {
        case "https": return url
        case "http" where isLoopback(host): return url
        case "http": throw WebhookRegistrationError(field: "url", reason: "must be https (http only to a loopback host)")
        default: throw WebhookRegistrationError(field: "url", reason: "must be https")
        }
    }

    /// `localhost`, or an address in 127.0.0.0/8 or `::1` (also as IPv4-mapped IPv6); a name
    /// that merely starts like one (`127.attacker.example`) resolves anywhere, so it is not.
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        guard let address = IPAddress(host)?.canonical else { return false }
        return address.isIPv4 ? address.bytes[0] == 127 : address.bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// Event types or rules: each lowercase letters, digits, dots and dashes, at most
    /// `maxFilters` of them.
    public static func filter(_ values: [String], field: String) throws(WebhookRegistrationError) -> [String] {
        guard values.count <= maxFilters else { throw WebhookRegistrationError(field: field, reason: "may list at most \(maxFilters) values") }
        for value in values {
            guard (1...100).contains(value.utf8.count),
                  value.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F })
            else { throw WebhookRegistrationError(field: field, reason: "holds \"\(value.prefix(100))\", not a lowercase name") }
        }
        return Array(Set(values)).sorted()
    }
}

/// The Standard Webhooks secret and signature.
public enum WebhookSecret {
    public static let prefix = "whsec_"

    /// 32 random bytes from the system's generator, as `whsec_<base64>`.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64EncodedString()
    }

    /// The key a secret stands for; nil when it is not `whsec_<base64>`.
    public static func key(of secret: String) -> SymmetricKey? {
        guard secret.hasPrefix(prefix), let bytes = Data(base64Encoded: String(secret.dropFirst(prefix.count))), !bytes.isEmpty else { return nil }
        return SymmetricKey(data: bytes)
    }

    /// `webhook-signature`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`.
    public static func signature(secret: SymmetricKey, id: String, timestamp: Int64, body: [UInt8]) -> String {
        var hmac = HMAC<SHA256>(key: secret)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }
}

/// Printed (logs, `print`, string interpolation) without its secret.
extension WebhookEndpoint: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "WebhookEndpoint(id: \(id), agency: \(agencyId), url: \(url.absoluteString), secret: <hidden>, eventTypes: \(eventTypes), rules: \(rules))"
    }

    public var debugDescription: String { description }
}
