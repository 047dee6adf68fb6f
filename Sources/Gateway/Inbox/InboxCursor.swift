import Foundation

/// A position in a caller's inbox: the last notification of a page (when it occurred, its id).
/// Opaque to clients (base64url of a small versioned text); stable: the next page starts
/// strictly after it, whatever arrived meanwhile.
public struct InboxCursor: Sendable, Hashable {
    public var occurredAt: String
    public var id: String

    public init(occurredAt: String, id: String) {
        self.occurredAt = occurredAt
        self.id = id
    }

    /// The text clients pass back as `cursor`.
    public var token: String {
        Data("v1\n\(occurredAt)\n\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a `cursor` parameter; nil when it is not one this gateway made (the request is
    /// then a 400).
    public init?(token: String) {
        guard (1...256).contains(token.utf8.count),
              token.utf8.allSatisfy({ $0 < 0x80 && (UInt8(ascii: "A")...UInt8(ascii: "Z") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "z") ~= $0
                  || UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")) })
        else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", !parts[1].isEmpty, UUID(uuidString: String(parts[2])) != nil else { return nil }
        self.init(occurredAt: String(parts[1]), id: String(parts[2]))
    }
}
