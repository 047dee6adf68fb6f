import Mustache

/// HTML escaping of every value the templates insert, one Unicode scalar at a time.
///
/// swift-mustache's own `HTML` escaping looks characters up as Swift `Character`s (grapheme
/// clusters), and a cluster may join `<`, `>`, `&`, `"` or `'` with a neighbouring scalar: a
/// prepended `U+0600` before `<`, a combining accent after `"`. Such a cluster is not in its
/// table and went out raw, so an event's name or summary could open a tag or leave an attribute.
/// Escaping scalar by scalar leaves no such gap. Every template starts with the pragma naming
/// this content type (`PageTemplates` adds it), partials included: the library resets a
/// partial's content type to its own `HTML`.
struct ScalarHTMLEscaping: MustacheContentType {
    static let name = "REENTRYBUS_HTML"
    /// The pragma that makes a template escape with this type.
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"

    func escapeText(_ text: String) -> String {
        Self.escape(text)
    }

    static func escape(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.contains(where: { $0 == "<" || $0 == ">" || $0 == "&" || $0 == "\"" || $0 == "'" }) else { return text }
        var escaped = String.UnicodeScalarView()
        escaped.reserveCapacity(scalars.count + 16)
        for scalar in scalars {
            switch scalar {
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
