import Foundation

/// Who a notification is for: an officer, an agency (a police department, a court), or a
/// facility. Written `kind:id`, e.g. `officer:PP-KC-118`, `agency:MO-KCPD`.
public struct Recipient: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, Comparable {
        case officer, agency, facility
        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }
    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func officer(_ id: String) -> Recipient { Recipient(kind: .officer, id: id) }
    public static func agency(_ id: String) -> Recipient { Recipient(kind: .agency, id: id) }
    public static func facility(_ id: String) -> Recipient { Recipient(kind: .facility, id: id) }

    /// Parses `kind:id`.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        self.init(kind: kind, id: id)
    }

    public var description: String { "\(kind.rawValue):\(id)" }

    public static func < (lhs: Recipient, rhs: Recipient) -> Bool { (lhs.kind, lhs.id) < (rhs.kind, rhs.id) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let recipient = Recipient(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected kind:id"))
        }
        self = recipient
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
