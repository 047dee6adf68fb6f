import Foundation

/// A position in a view: the key of the last row of a page (a case, release, warrant id).
/// Opaque to clients (base64url of a small versioned text naming the view); stable: rows are
/// ordered by their key, and the next page starts strictly after it, whatever was inserted.
public struct ViewCursor: Sendable, Hashable {
    public var view: String
    public var key: String

    public init(view: String, key: String) {
        self.view = view
        self.key = key
    }

    /// The text clients pass back as `cursor`.
    public var token: String {
        Data("v1\n\(view)\n\(key)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a `cursor` parameter of `view`; nil when it is not one this gateway made for that
    /// view (the request is then a 400).
    public init?(token: String, view: String) {
        guard (1...512).contains(token.utf8.count),
              token.utf8.allSatisfy({ $0 < 0x80 && (UInt8(ascii: "A")...UInt8(ascii: "Z") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "z") ~= $0
                  || UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")) })
        else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", parts[1] == view, !parts[2].isEmpty else { return nil }
        self.init(view: view, key: String(parts[2]))
    }
}
