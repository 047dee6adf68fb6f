extension JSONValue {
    /// Indented JSON text with object members sorted by key and a final newline.
    ///
    /// Exported schemas and examples are committed next to the contracts, so the output must be
    /// byte-for-byte stable for the same input: `topics validate` compares them to detect files
    /// that were not regenerated.
    public var prettyPrinted: String {
        var out = ""
        writePretty(to: &out, indent: 0)
        out += "\n"
        return out
    }

    private func writePretty(to out: inout String, indent: Int) {
        let inner = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (i, element) in elements.enumerated() {
                out += inner
                element.writePretty(to: &out, indent: indent + 1)
                out += i + 1 < elements.count ? ",\n" : "\n"
            }
            out += closing + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let keys = members.keys.sorted()
            for (i, key) in keys.enumerated() {
                out += inner
                JSONValue.writeQuoted(key, to: &out)
                out += ": "
                members[key]!.writePretty(to: &out, indent: indent + 1)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            out += closing + "}"
        default:
            write(to: &out)
        }
    }
}
