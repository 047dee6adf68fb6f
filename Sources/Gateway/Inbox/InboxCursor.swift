import Foundation

/// A position in a caller's inbox: the last notification of a page (when it occurred, its id).
/// Opaque to clients (`CursorToken`); stable: the next page starts strictly after it, whatever
/// arrived meanwhile.
public struct InboxCursor: Sendable, Hashable {
    public var occurredAt: String
    public var id: String

    public init(occurredAt: String, id: String) {
        self.occurredAt = occurredAt
        self.id = id
    }

    /// The text clients pass back as `cursor`.
    public var token: String { CursorToken.encode(["v1", occurredAt, id]) }

    /// Reads a `cursor` parameter; nil when it is not one this gateway made (the request is
    /// then a 400).
    public init?(token: String) {
        guard let fields = CursorToken.decode(token, maxLength: 256), fields.count == 3, fields[0] == "v1", !fields[1].isEmpty,
              UUID(uuidString: fields[2]) != nil
        else { return nil }
        self.init(occurredAt: fields[1], id: fields[2])
    }
}
