import Foundation

extension JSONSchema {
    /// A schema's nodes arranged for validating JSON bytes without building a tree
    /// (``ByteValidator``): each node's checks grouped by the kind of value they constrain, so
    /// that reading a value applies only its kind's checks, and member names, enum strings and
    /// required names kept as bytes, so that they are compared with the input in place.
    ///
    /// Built once with the schema. A node with a check that has no byte form here
    /// (`uniqueItems`, `contains`, `propertyNames`, `dependentRequired`, `dependentSchemas`, an
    /// `enum` or `const` of arrays or objects) is marked undecidable: the byte validator answers
    /// "cannot say" for it and the caller validates the parsed tree instead.
    struct ByteProgram: Sendable {
        let nodes: [ByteNode]

        init(_ nodes: [Node]) {
            self.nodes = nodes.map(ByteNode.init)
        }
    }

    /// One node of the program. A class, so that reading a node takes one reference rather than
    /// copying a struct of a dozen arrays (a retain and release each) for every value read.
    final class ByteNode: Sendable {
        let checks: ByteChecks

        init(_ node: Node) {
            checks = ByteChecks(node)
        }

        /// A node with no checks: reading a value with it only checks that it is well-formed.
        static let anything = ByteNode(Node(location: "", checks: []))
    }

    /// One node's checks, by the kind of value they apply to.
    struct ByteChecks: Sendable {
        var decidable = true
        var alwaysFalse = false
        var types: TypeSet?
        /// `enum` and `const`: the value must be one of each list.
        var allowed: [ByteAllowedValues] = []
        var numberChecks: [Check] = []
        var minLength: Int?
        var maxLength: Int?
        var patterns: [Pattern] = []
        var formats: [StringFormat] = []
        var minItems: Int?
        var maxItems: Int?
        var prefixItems: [Int] = []
        var items: (node: Int, from: Int)?
        var itemsAllowed: Int?
        /// Decided on bytes for arrays of strings without escapes, whose bytes are their values.
        var uniqueItems = false
        var required: [[UInt8]] = []
        var minProperties: Int?
        var maxProperties: Int?
        var members: ByteMembers?
        /// `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`: applied to the same value again.
        var inPlace: [Check] = []

        init(_ node: Node) {
            for check in node.checks {
                switch check {
                case .alwaysFalse: alwaysFalse = true
                case .type(let set): types = types.map { $0.intersection(set) } ?? set
                case .enumeration(let values): add(values.values)
                case .const(let value): add([value])
                case .minimum, .maximum, .exclusiveMinimum, .exclusiveMaximum, .multipleOf: numberChecks.append(check)
                case .minLength(let n): minLength = max(minLength ?? 0, n)
                case .maxLength(let n): maxLength = min(maxLength ?? .max, n)
                case .pattern(let pattern): patterns.append(pattern)
                case .format(let format): formats.append(format)
                case .minItems(let n): minItems = max(minItems ?? 0, n)
                case .maxItems(let n): maxItems = min(maxItems ?? .max, n)
                case .prefixItems(let nodes): prefixItems = nodes
                case .items(let node, let from): items = (node, from)
                case .noItemsBeyond(let allowed): itemsAllowed = allowed
                case .required(let names): required += names.map { Array($0.utf8) }
                case .minProperties(let n): minProperties = max(minProperties ?? 0, n)
                case .maxProperties(let n): maxProperties = min(maxProperties ?? .max, n)
                case .members(let schemas): members = ByteMembers(schemas)
                case .ref, .allOf, .anyOf, .oneOf, .not, .conditional: inPlace.append(check)
                case .uniqueItems: uniqueItems = true
                case .contains, .propertyNames, .dependentRequired, .dependentSchemas: decidable = false
                }
            }
            // Names compared as bytes must be ASCII: Swift's `String` equality, which the tree
            // uses for member names, treats some different non-ASCII spellings as equal.
            if required.contains(where: { $0.contains { $0 >= 0x80 } }) { decidable = false }
            if let members, !members.isASCII { decidable = false }
            if allowed.contains(where: \.hasContainers) { decidable = false }
        }

        private mutating func add(_ values: [JSONValue]) {
            allowed.append(ByteAllowedValues(values))
        }
    }

    /// An `enum` or `const`, split by kind for comparing with bytes (a class: see ``ByteNode``).
    final class ByteAllowedValues: Sendable {
        let strings: [[UInt8]]
        let numbers: [JSONNumber]
        let booleans: [Bool]
        let allowsNull: Bool
        let hasContainers: Bool
        /// The values as the tree compares them, for strings whose bytes hold escapes.
        let values: AllowedValues

        init(_ values: [JSONValue]) {
            self.values = AllowedValues(values)
            var strings: [[UInt8]] = []
            var numbers: [JSONNumber] = []
            var booleans: [Bool] = []
            var allowsNull = false
            var hasContainers = false
            for value in values {
                switch value {
                case .string(let s): strings.append(Array(s.utf8))
                case .number(let n): numbers.append(n)
                case .bool(let b): booleans.append(b)
                case .null: allowsNull = true
                case .array, .object: hasContainers = true
                }
            }
            self.strings = strings
            self.numbers = numbers
            self.booleans = booleans
            self.allowsNull = allowsNull
            self.hasContainers = hasContainers
        }
    }

    /// `properties`, `patternProperties` and `additionalProperties` with names as bytes (a
    /// class: see ``ByteNode``).
    final class ByteMembers: Sendable {
        let names: [[UInt8]]
        let nodes: [Int]
        let patterns: [PatternSchema]
        let additional: MemberSchemas.Additional?

        init(_ schemas: MemberSchemas) {
            let named = schemas.properties.entries
            names = named.map { Array($0.name.utf8) }
            nodes = named.map(\.node)
            patterns = schemas.patterns
            additional = schemas.additional
        }

        var isASCII: Bool { !names.contains { $0.contains { $0 >= 0x80 } } }

        /// The subschema of the member whose name is `name`'s bytes.
        func node(named name: UnsafeBufferPointer<UInt8>) -> Int? {
            for i in names.indices where names[i].count == name.count {
                let equal = names[i].withUnsafeBufferPointer { candidate in
                    name.count == 0 || memcmp(candidate.baseAddress!, name.baseAddress!, name.count) == 0
                }
                if equal { return nodes[i] }
            }
            return nil
        }
    }
}
