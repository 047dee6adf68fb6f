/// Whether a new version of an event schema would break consumers written for the old one.
///
/// A consumer of the old version relies on what the old schema guarantees: that required
/// fields are there, that a field has the old type, that a code is one of the old codes. So
/// the new schema breaks it when it removes or renames a required field, widens a type or
/// enumeration the consumer switches on (adding codes is reported too, as a warning would be
/// lost), narrows a type, or requires a field old producers do not send and gives no default.
/// Both schemas are walked together through `properties`, `items` and local `$ref`s.
public enum SchemaCompatibility {
    /// One breaking difference, with where it is in the new schema's instances.
    public struct Break: Sendable, Hashable, CustomStringConvertible {
        /// Instance path, e.g. `$.payload.releaseType`.
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Every breaking difference from `old` to `new`; empty when consumers of `old` can read
    /// events valid against `new`.
    public static func breaks(from old: JSONValue, to new: JSONValue) -> [Break] {
        var result: [Break] = []
        compare(old, in: old, new, in: new, path: .root, depth: 0, into: &result)
        return result
    }

    private static func resolve(_ schema: JSONValue, in document: JSONValue) -> JSONValue {
        var current = schema
        for _ in 0..<16 {
            guard case .string(let ref)? = current["$ref"], ref.hasPrefix("#") else { return current }
            let tokens = ref.dropFirst().split(separator: "/").map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            guard let target = document.value(atDottedPath: tokens) else { return current }
            // Keywords beside the $ref still apply; the referenced ones fill in the rest.
            if case .object(var members) = current, case .object(let referenced) = target {
                members["$ref"] = nil
                current = .object(referenced.merging(members) { _, sibling in sibling })
            } else {
                current = target
            }
        }
        return current
    }

    private static func strings(_ value: JSONValue?) -> Set<String> {
        switch value {
        case .string(let s)?: [s]
        case .array(let elements)?: Set(elements.compactMap { if case .string(let s) = $0 { s } else { nil } })
        default: []
        }
    }

    private static func compare(
        _ oldSchema: JSONValue, in oldDocument: JSONValue, _ newSchema: JSONValue, in newDocument: JSONValue,
        path: JSONPath, depth: Int, into result: inout [Break]
    ) {
        guard depth < 32 else { return }
        let old = resolve(oldSchema, in: oldDocument)
        let new = resolve(newSchema, in: newDocument)
        let at = path.description

        let oldTypes = strings(old["type"]), newTypes = strings(new["type"])
        if !oldTypes.isEmpty, !newTypes.isEmpty {
            let effectiveNew = newTypes.contains("number") ? newTypes.union(["integer"]) : newTypes
            if !oldTypes.isSubset(of: effectiveNew) {
                result.append(Break(path: at, message: "type narrowed from \(oldTypes.sorted().joined(separator: "|")) to \(newTypes.sorted().joined(separator: "|"))"))
            } else if !newTypes.isSubset(of: oldTypes.contains("number") ? oldTypes.union(["integer"]) : oldTypes) {
                result.append(Break(path: at, message: "type widened from \(oldTypes.sorted().joined(separator: "|")) to \(newTypes.sorted().joined(separator: "|")); old consumers cannot read the new kinds"))
            }
        }
        if case .array(let oldValues)? = old["enum"] {
            if case .array(let newValues)? = new["enum"] {
                let removed = oldValues.filter { !newValues.contains($0) }
                let added = newValues.filter { !oldValues.contains($0) }
                if !removed.isEmpty {
                    result.append(Break(path: at, message: "enumeration narrowed: \(removed.map(\.description).joined(separator: ", ")) removed"))
                }
                if !added.isEmpty {
                    result.append(Break(path: at, message: "enumeration widened: \(added.map(\.description).joined(separator: ", ")) added; old consumers do not know these codes"))
                }
            } else if new["const"] == nil {
                result.append(Break(path: at, message: "no longer restricted to the old enumeration"))
            }
        }
        if let oldConst = old["const"], new["const"] != oldConst, path != JSONPath.root.appending(key: "schemaVersion") {
            result.append(Break(path: at, message: "constant changed"))
        }

        let oldRequired = strings(old["required"]), newRequired = strings(new["required"])
        let oldProperties: [String: JSONValue]
        if case .object(let members)? = old["properties"] { oldProperties = members } else { oldProperties = [:] }
        let newProperties: [String: JSONValue]
        if case .object(let members)? = new["properties"] { newProperties = members } else { newProperties = [:] }
        for name in oldRequired.subtracting(newRequired).sorted() {
            let renamed = newProperties[name] == nil ? " (removed or renamed)" : " (now optional)"
            result.append(Break(path: path.appending(key: name).description, message: "required field is no longer required\(renamed)"))
        }
        for name in newRequired.subtracting(oldRequired).sorted() where newProperties[name]?["default"] == nil {
            result.append(Break(path: path.appending(key: name).description, message: "new required field without a default; events from old producers lack it"))
        }
        for name in Set(oldProperties.keys).subtracting(oldRequired).sorted() where newProperties[name] == nil && new["additionalProperties"] == .bool(false) {
            result.append(Break(path: path.appending(key: name).description, message: "optional field removed; events that still carry it are now rejected"))
        }
        for (name, oldProperty) in oldProperties.sorted(by: { $0.key < $1.key }) {
            guard let newProperty = newProperties[name] else { continue }
            compare(oldProperty, in: oldDocument, newProperty, in: newDocument, path: path.appending(key: name), depth: depth + 1, into: &result)
        }
        if let oldItems = old["items"], let newItems = new["items"] {
            compare(oldItems, in: oldDocument, newItems, in: newDocument, path: path.appending(index: 0), depth: depth + 1, into: &result)
        }
    }
}
