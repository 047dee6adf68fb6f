/// Who a subscription tells: an officer, a unit (a squad or desk of an agency) or a whole
/// agency, written `kind:id` as notifications name their recipients (`officer:PP-KC-118`,
/// `unit:MO-KCPD-VCU`, `agency:MO-KCPD`).
public struct Subscriber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case officer, unit, agency
    }

    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    /// Parses `kind:id`: a known kind, and an id of 1 to 80 characters without spaces that does
    /// not start with a colon (the contract's pattern). Nil otherwise.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard Self.isValidId(id) else { return nil }
        self.init(kind: kind, id: id)
    }

    public var description: String { "\(kind.rawValue):\(id)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }

    /// 1–80 characters, no white space, not starting with a colon.
    static func isValidId(_ id: String) -> Bool {
        guard let first = id.first, first != ":", id.count <= 80 else { return false }
        return !id.contains { $0.isWhitespace }
    }
}

/// Who acts on a subscription (creates, renews or cancels it): an officer or one of the bus's
/// operators, `officer:PP-KC-118` or `operator:bus-ops-1`. Recorded with the change, so a
/// reviewer can ask them why.
public struct SubscriptionActor: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case officer, `operator`
    }

    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    /// Parses `kind:id` like ``Subscriber``; nil when the kind is unknown or the id malformed.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard Subscriber.isValidId(id) else { return nil }
        self.init(kind: kind, id: id)
    }

    public var description: String { "\(kind.rawValue):\(id)" }
}
