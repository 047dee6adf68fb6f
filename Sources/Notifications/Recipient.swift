import Foundation

/// Who a notification is for, written `kind:id`: an officer (`officer:PP-KC-118`), a unit of an
/// agency — a squad or desk (`unit:MO-KCPD-VCU`) —, an agency (`agency:MO-KCPD`), a facility,
/// an agency's duty desk (`duty:MO-KCPD`, staffed around the clock: where an unacknowledged
/// urgent notification goes first), or a role within an agency (`role:MO-DOC-PP/supervisor`:
/// where it goes next).
public struct Recipient: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, Comparable, CaseIterable {
        case officer, unit, agency, facility, duty, role
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
    public static func unit(_ id: String) -> Recipient { Recipient(kind: .unit, id: id) }
    /// The duty desk of agency `agencyId`.
    public static func duty(_ agencyId: String) -> Recipient { Recipient(kind: .duty, id: agencyId) }
    /// The holders of `role` in agency `agencyId` (`role:AGENCY/role`).
    public static func role(_ role: String, of agencyId: String) -> Recipient { Recipient(kind: .role, id: "\(agencyId)/\(role)") }

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
