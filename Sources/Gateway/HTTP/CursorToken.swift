import Foundation

/// The text of the gateway's opaque positions (`InboxCursor`, `ViewCursor`, `ArrivalCursor`):
/// base64url, without padding, of a version and fields separated by newlines. Opaque so that
/// clients pass them back rather than build them, and versioned so that the format may change.
enum CursorToken {
    /// `fields` (none containing a newline) as a token.
    static func encode(_ fields: [String]) -> String {
        Data(fields.joined(separator: "\n").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The fields of `token`; nil when it is longer than `maxLength`, not base64url or not UTF-8.
    static func decode(_ token: String, maxLength: Int) -> [String]? {
        guard (1...maxLength).contains(token.utf8.count),
              token.utf8.allSatisfy({ $0 < 0x80 && (UInt8(ascii: "A")...UInt8(ascii: "Z") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "z") ~= $0
                  || UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")) })
        else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
