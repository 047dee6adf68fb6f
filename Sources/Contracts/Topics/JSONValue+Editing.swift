extension JSONValue {
    /// Sets (or, with `nil`, removes) the member at a dotted path such as
    /// `payload.charges.0.level`; numeric components index arrays. Returns `false` if the path
    /// does not lead into this document (a missing parent, an index out of range).
    ///
    /// Invalid contract examples are written as small edits of a valid one; this applies them.
    mutating func setting(_ path: ArraySlice<String>, to value: JSONValue?) -> Bool {
        guard let first = path.first else { return false }
        let rest = path.dropFirst()
        switch self {
        case .object(var members):
            if rest.isEmpty {
                if value == nil && members[first] == nil { return false }
                members[first] = value
                self = .object(members)
                return true
            }
            guard var child = members[first], child.setting(rest, to: value) else { return false }
            members[first] = child
            self = .object(members)
            return true
        case .array(var elements):
            guard let index = Int(first), elements.indices.contains(index) else { return false }
            if rest.isEmpty {
                if let value { elements[index] = value } else { elements.remove(at: index) }
                self = .array(elements)
                return true
            }
            guard elements[index].setting(rest, to: value) else { return false }
            self = .array(elements)
            return true
        default:
            return false
        }
    }

    /// The value at a dotted path, or `nil`.
    public func value(atDottedPath path: some Sequence<String>) -> JSONValue? {
        var current: JSONValue? = self
        for component in path {
            switch current {
            case .object(let members)?: current = members[component]
            case .array(let elements)?: current = Int(component).flatMap { elements.indices.contains($0) ? elements[$0] : nil }
            default: return nil
            }
        }
        return current
    }
}
