extension JSONSchema {
    /// One compiled (sub)schema: the checks its keywords make, in a fixed order.
    ///
    /// Subschemas refer to each other by index into ``JSONSchema/nodes`` rather than by
    /// reference, which keeps the compiled schema an immutable value (hence `Sendable`) even
    /// when `$ref` makes it recursive.
    struct Node: Sendable {
        /// Where the subschema is in the document, e.g. `#/properties/subject`.
        var location: String
        var checks: [Check]
    }

    /// A named subschema, for `properties` and `dependentSchemas`.
    struct NamedSchema: Sendable {
        var name: String
        var node: Int
    }

    /// A `patternProperties` entry.
    struct PatternSchema: Sendable {
        var pattern: Pattern
        var node: Int
    }

    /// `properties`, `patternProperties` and `additionalProperties` together, applied in one
    /// pass over the instance's members: each member name is hashed once, and the three
    /// keywords' interplay (additional = matched by neither of the others) falls out naturally.
    struct MemberSchemas: Sendable {
        enum Additional: Sendable {
            case schema(Int)
            /// `additionalProperties: false`, reported as such rather than as a false schema.
            case forbidden
        }

        var properties = PropertyTable()
        var patterns: [PatternSchema] = []
        var additional: Additional?
    }

    /// `properties`: member name → subschema. An object schema names a handful of members, and
    /// comparing a name with each of them (lengths first, then bytes) is cheaper than hashing
    /// it; a long list is hashed.
    struct PropertyTable: Sendable {
        private var names: [String] = []
        private var nodes: [Int] = []
        private var hashed: [String: Int]?

        /// Every name with its subschema, in the order they were added.
        var entries: [(name: String, node: Int)] { zip(names, nodes).map { ($0, $1) } }

        /// Above this many names, lookups hash.
        static let linearLimit = 16

        subscript(name: String) -> Int? {
            get {
                if let hashed { return hashed[name] }
                for i in names.indices where names[i] == name { return nodes[i] }
                return nil
            }
            set {
                precondition(newValue != nil, "a property is never removed")
                if let i = names.firstIndex(of: name) { nodes[i] = newValue! } else {
                    names.append(name)
                    nodes.append(newValue!)
                }
                if hashed != nil {
                    hashed![name] = newValue
                } else if names.count > Self.linearLimit {
                    hashed = Dictionary(uniqueKeysWithValues: zip(names, nodes))
                }
            }
        }
    }

    /// `enum`'s allowed values; long lists are also hashed so lookup stays fast.
    struct AllowedValues: Sendable {
        var values: [JSONValue]
        var set: Set<JSONValue>?

        init(_ values: [JSONValue]) {
            self.values = values
            self.set = values.count > 8 ? Set(values) : nil
        }

        func contains(_ value: JSONValue) -> Bool {
            if let set { return set.contains(value) }
            return values.contains(value)
        }
    }

    /// The primitive types of the `type` keyword.
    struct TypeSet: OptionSet, Sendable {
        let rawValue: UInt8
        static let null = TypeSet(rawValue: 1 << 0)
        static let boolean = TypeSet(rawValue: 1 << 1)
        static let integer = TypeSet(rawValue: 1 << 2)
        static let number = TypeSet(rawValue: 1 << 3)
        static let string = TypeSet(rawValue: 1 << 4)
        static let array = TypeSet(rawValue: 1 << 5)
        static let object = TypeSet(rawValue: 1 << 6)

        static let names: [(String, TypeSet)] = [
            ("null", .null), ("boolean", .boolean), ("integer", .integer), ("number", .number),
            ("string", .string), ("array", .array), ("object", .object),
        ]

        func admits(_ kind: JSONValue.Kind) -> Bool {
            switch kind {
            case .null: contains(.null)
            case .boolean: contains(.boolean)
            case .integer: contains(.integer) || contains(.number)
            case .number: contains(.number)
            case .string: contains(.string)
            case .array: contains(.array)
            case .object: contains(.object)
            }
        }

        /// "string", "string or null", "string, number or null".
        var spelled: String {
            let names = Self.names.filter { contains($0.1) }.map(\.0)
            guard names.count > 1 else { return names.first ?? "nothing" }
            return names.dropLast().joined(separator: ", ") + " or " + names.last!
        }
    }

    /// What one keyword checks. Subschemas are node indices.
    enum Check: Sendable {
        case alwaysFalse
        case ref(Int)
        case type(TypeSet)
        case enumeration(AllowedValues)
        case const(JSONValue)
        case minimum(JSONNumber)
        case maximum(JSONNumber)
        case exclusiveMinimum(JSONNumber)
        case exclusiveMaximum(JSONNumber)
        case multipleOf(JSONNumber)
        case minLength(Int)
        case maxLength(Int)
        case pattern(Pattern)
        case format(StringFormat)
        case minItems(Int)
        case maxItems(Int)
        case uniqueItems
        case prefixItems([Int])
        /// `items`: the subschema for every element from index `from` on.
        case items(Int, from: Int)
        /// `items: false`: no elements beyond the first `allowed`.
        case noItemsBeyond(allowed: Int)
        case contains(Int, min: Int, max: Int?)
        case required([String])
        case minProperties(Int)
        case maxProperties(Int)
        case dependentRequired([(property: String, requires: [String])])
        case members(MemberSchemas)
        case propertyNames(Int)
        case dependentSchemas([NamedSchema])
        case allOf([Int])
        case anyOf([Int])
        case oneOf([Int])
        case not(Int)
        case conditional(if: Int, then: Int?, else: Int?)

        /// The keyword named in violations.
        var keyword: String {
            switch self {
            case .alwaysFalse: "false"
            case .ref: "$ref"
            case .type: "type"
            case .enumeration: "enum"
            case .const: "const"
            case .minimum: "minimum"
            case .maximum: "maximum"
            case .exclusiveMinimum: "exclusiveMinimum"
            case .exclusiveMaximum: "exclusiveMaximum"
            case .multipleOf: "multipleOf"
            case .minLength: "minLength"
            case .maxLength: "maxLength"
            case .pattern: "pattern"
            case .format: "format"
            case .minItems: "minItems"
            case .maxItems: "maxItems"
            case .uniqueItems: "uniqueItems"
            case .prefixItems: "prefixItems"
            case .items, .noItemsBeyond: "items"
            case .contains: "contains"
            case .required: "required"
            case .minProperties: "minProperties"
            case .maxProperties: "maxProperties"
            case .dependentRequired: "dependentRequired"
            case .members(let m): m.additional != nil ? "additionalProperties" : "properties"
            case .propertyNames: "propertyNames"
            case .dependentSchemas: "dependentSchemas"
            case .allOf: "allOf"
            case .anyOf: "anyOf"
            case .oneOf: "oneOf"
            case .not: "not"
            case .conditional: "if"
            }
        }

        /// Subschemas applied to the same instance (not to a part of it). A cycle through these
        /// would never terminate, so the compiler rejects one.
        var inPlaceSubschemas: [Int] {
            switch self {
            case .ref(let n), .not(let n): [n]
            case .allOf(let ns), .anyOf(let ns), .oneOf(let ns): ns
            case .conditional(let i, let t, let e): [i] + [t, e].compactMap { $0 }
            case .dependentSchemas(let named): named.map(\.node)
            default: []
            }
        }
    }
}
