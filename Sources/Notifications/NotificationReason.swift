import Foundation

/// How soon the recipient should act.
public enum NotificationPriority: String, Codable, Sendable, Comparable, CaseIterable {
    case routine, high, urgent

    private var rank: Int {
        switch self {
        case .routine: 0
        case .high: 1
        case .urgent: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Why a notification was sent: the rule, in words, and the identifiers that matched.
public struct NotificationReason: Codable, Sendable, Hashable {
    /// The rule's code, e.g. `supervisee-arrested`.
    public var rule: String
    /// One sentence addressed to the recipient.
    public var explanation: String
    /// Identifier name (`stateId`, `fbiNumber`, `warrantId`, `city`) → the value that matched.
    public var matched: [MatchedIdentifier]

    public init(rule: String, explanation: String, matched: [MatchedIdentifier]) {
        self.rule = rule
        self.explanation = explanation
        self.matched = matched
    }
}

public struct MatchedIdentifier: Codable, Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One labelled fact of a notification (who, what, when, where, agency…), in display order.
public struct NotificationFact: Codable, Sendable, Hashable {
    public var label: String
    public var value: String
    public init(_ label: String, _ value: String) {
        self.label = label
        self.value = value
    }
}
