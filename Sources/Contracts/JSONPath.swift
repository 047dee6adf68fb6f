/// The location of a value inside a JSON document, such as `$.subject.aliases[2].lastName`.
///
/// Violations name where the problem is in a form partners can read and tools can use: the
/// description is a JSONPath (RFC 9535) with dot notation for plain member names and
/// `['…']` for the rest; ``jsonPointer`` gives the same location as an RFC 6901 pointer.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step down: an object member or an array element.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The steps from the document root; empty for the root itself (`$`).
    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// The document root, `$`.
    public static let root = JSONPath()

    /// This path extended by one member name.
    public func appending(key: String) -> JSONPath {
        JSONPath(components + [.key(key)])
    }

    /// This path extended by one array index.
    public func appending(index: Int) -> JSONPath {
        JSONPath(components + [.index(index)])
    }

    public var description: String {
        var out = "$"
        for component in components {
            switch component {
            case .index(let i):
                out += "[\(i)]"
            case .key(let key) where Self.isShorthandName(key):
                out += "." + key
            case .key(let key):
                out += "['"
                JSONValue.writeEscaped(key, quote: "'", to: &out)
                out += "']"
            }
        }
        return out
    }

    /// The same location as a JSON Pointer (RFC 6901), e.g. `/subject/aliases/2/lastName`.
    public var jsonPointer: String {
        var out = ""
        for component in components {
            out += "/"
            switch component {
            case .index(let i): out += String(i)
            case .key(let key): out += JSONPointer.escape(key)
            }
        }
        return out
    }

    /// RFC 9535 member-name-shorthand: a letter, `_` or non-ASCII first, then also digits.
    private static func isShorthandName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first else { return false }
        func isNameFirst(_ s: Unicode.Scalar) -> Bool {
            (s >= "A" && s <= "Z") || (s >= "a" && s <= "z") || s == "_" || s.value >= 0x80
        }
        return isNameFirst(first)
            && key.unicodeScalars.allSatisfy { isNameFirst($0) || ($0 >= "0" && $0 <= "9") }
    }
}
