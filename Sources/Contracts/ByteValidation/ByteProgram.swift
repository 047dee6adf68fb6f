import Foundation

extension JSONSchema {
    /// A schema's nodes as a flat program for validating JSON bytes without building a tree
    /// (``ByteValidator``): each node's checks grouped by the kind of value they constrain, so
    /// that reading a value applies only its kind's checks; member names, required names and
    /// enum strings kept as bytes in one pool, so that they are compared with the input in
    /// place.
    ///
    /// Every node is a plain value of integers and ranges into the program's tables (no class,
    /// no array of its own): the validator reads one per value it meets, and a node holding
    /// arrays cost a retain and a release for each of them every time — a third of the time.
    ///
    /// Built once with the schema. A node with a check that has no byte form here
    /// (`contains`, `propertyNames`, `dependentRequired`, `dependentSchemas`, an `enum` or
    /// `const` of arrays or objects, non-ASCII member names) is marked undecidable: the byte
    /// validator answers "cannot say" for it and the caller validates the parsed tree instead.
    ///
    /// The nodes are also kept at a fixed address (``nodes``): reading one from an array copied
    /// it (two hundred bytes) for every value read. `@unchecked Sendable`: that memory is
    /// written once, in `init`, and only read after.
    final class ByteProgram: @unchecked Sendable {
        /// The tables but their nodes, which move to ``nodes``.
        let tables: ByteTables
        /// The compiled nodes, then a node with no checks (``anyValue``), for reading in place.
        let nodes: UnsafeMutableBufferPointer<ByteNode>

        init(_ schemaNodes: [Node]) {
            var tables = ByteTables(schemaNodes)
            precondition(_isPOD(ByteNode.self), "ByteNode must hold no references: its buffer is freed without deinitializing")
            nodes = .allocate(capacity: tables.nodes.count + 1)
            _ = nodes.initialize(from: tables.nodes + [ByteNode()])
            tables.nodes = []
            self.tables = tables
        }

        deinit {
            // Plain integers and ranges (checked in `init`): nothing to deinitialize.
            nodes.deallocate()
        }

        /// Node `index` of the program, in place.
        func node(_ index: Int) -> UnsafePointer<ByteNode> {
            assert(index >= 0 && index < nodes.count - 1, "node \(index) of \(nodes.count - 1)")
            return UnsafePointer(nodes.baseAddress! + index)
        }

        /// A node that checks nothing: a value is only read over.
        var anyValue: UnsafePointer<ByteNode> {
            UnsafePointer(nodes.baseAddress! + (nodes.count - 1))
        }
    }

    /// ``ByteProgram``'s tables. The program holds them in a class so that a validator (one per
    /// document) takes one reference to them instead of copying a dozen arrays.
    struct ByteTables: Sendable {
        /// The compiled nodes; ``ByteProgram`` moves them to its buffer and leaves this empty.
        var nodes: [ByteNode] = []
        /// Member names, required names and enum strings, back to back.
        var pool: [UInt8] = []
        /// A name or string in ``pool``.
        var strings: [Range<Int>] = []
        /// `properties`: the name (index into ``strings``) and the subschema.
        var members: [(name: Int, node: Int)] = []
        var memberPatterns: [PatternSchema] = []
        /// `required`: indexes into ``strings``.
        var required: [Int] = []
        /// `enum` and `const`: each a set of allowed values.
        var allowed: [ByteAllowedValues] = []
        var numberChecks: [(kind: NumberCheck, limit: JSONNumber)] = []
        var patterns: [Pattern] = []
        var prefixItems: [Int] = []
        /// `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`: applied to the same value again.
        var inPlace: [Check] = []

        enum NumberCheck: Sendable {
            case minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf
        }

        init(_ schemaNodes: [Node]) {
            for node in schemaNodes { nodes.append(compile(node)) }
        }

        private mutating func string(_ text: String) -> Int {
            let start = pool.count
            pool.append(contentsOf: text.utf8)
            strings.append(start..<pool.count)
            return strings.count - 1
        }

        /// One node. Its entries in every table are appended while it is compiled, so each of
        /// its runs is the tail a table gained meanwhile.
        private mutating func compile(_ node: Node) -> ByteNode {
            var n = ByteNode()
            let start = (
                allowed: allowed.count, numberChecks: numberChecks.count, patterns: patterns.count, prefixItems: prefixItems.count,
                required: required.count, members: members.count, memberPatterns: memberPatterns.count, inPlace: inPlace.count
            )
            for check in node.checks {
                switch check {
                case .alwaysFalse: n.alwaysFalse = true
                case .type(let set): n.types = n.types.intersection(set)
                case .enumeration(let values): addAllowed(values.values)
                case .const(let value): addAllowed([value])
                case .minimum(let limit): numberChecks.append((.minimum, limit))
                case .maximum(let limit): numberChecks.append((.maximum, limit))
                case .exclusiveMinimum(let limit): numberChecks.append((.exclusiveMinimum, limit))
                case .exclusiveMaximum(let limit): numberChecks.append((.exclusiveMaximum, limit))
                case .multipleOf(let divisor): numberChecks.append((.multipleOf, divisor))
                case .minLength(let limit): n.minLength = max(n.minLength, limit)
                case .maxLength(let limit): n.maxLength = min(n.maxLength, limit)
                case .pattern(let pattern): patterns.append(pattern)
                case .format(let format): n.formats.insert(ByteNode.Formats(format))
                case .minItems(let limit): n.minItems = max(n.minItems, limit)
                case .maxItems(let limit): n.maxItems = min(n.maxItems, limit)
                case .uniqueItems: n.uniqueItems = true
                case .prefixItems(let nodes): prefixItems += nodes
                case .items(let node, let from):
                    n.itemsNode = node
                    n.itemsFrom = from
                case .noItemsBeyond(let allowed): n.itemsAllowed = allowed
                case .required(let names):
                    if names.contains(where: { $0.utf8.contains { $0 >= 0x80 } }) { n.decidable = false }
                    for name in names { required.append(string(name)) }
                case .minProperties(let limit): n.minProperties = max(n.minProperties, limit)
                case .maxProperties(let limit): n.maxProperties = min(n.maxProperties, limit)
                case .members(let schemas):
                    let entries = schemas.properties.entries
                    if entries.contains(where: { $0.name.utf8.contains { $0 >= 0x80 } }) { n.decidable = false }
                    for entry in entries { members.append((name: string(entry.name), node: entry.node)) }
                    memberPatterns += schemas.patterns
                    n.hasMembers = true
                    switch schemas.additional {
                    case nil: n.additional = ByteNode.anyAdditional
                    case .forbidden: n.additional = ByteNode.noAdditional
                    case .schema(let node): n.additional = node
                    }
                case .ref, .allOf, .anyOf, .oneOf, .not, .conditional: inPlace.append(check)
                case .contains, .propertyNames, .dependentRequired, .dependentSchemas: n.decidable = false
                }
            }
            n.allowed = start.allowed..<allowed.count
            n.numberChecks = start.numberChecks..<numberChecks.count
            n.patterns = start.patterns..<patterns.count
            n.prefixItems = start.prefixItems..<prefixItems.count
            n.required = start.required..<required.count
            n.members = start.members..<members.count
            n.memberPatterns = start.memberPatterns..<memberPatterns.count
            n.inPlace = start.inPlace..<inPlace.count
            if allowed[n.allowed].contains(where: \.hasContainers) { n.decidable = false }
            return n
        }

        private mutating func addAllowed(_ values: [JSONValue]) {
            let entry = ByteAllowedValues(values, program: &self)
            allowed.append(entry)
        }

        fileprivate mutating func addString(_ text: String) -> Int { string(text) }
    }

    /// One node's checks, by the kind of value they apply to: integers and ranges into the
    /// program's tables only.
    struct ByteNode: Sendable {
        static let anyAdditional = -1
        static let noAdditional = -2

        var decidable = true
        var alwaysFalse = false
        var types: TypeSet = [.null, .boolean, .integer, .number, .string, .array, .object]
        var allowed: Range<Int> = 0..<0
        var numberChecks: Range<Int> = 0..<0
        var minLength = 0
        var maxLength = Int.max
        var patterns: Range<Int> = 0..<0
        var formats: Formats = []
        var minItems = 0
        var maxItems = Int.max
        var prefixItems: Range<Int> = 0..<0
        /// `items`: the subschema from index `itemsFrom` on; -1 for none.
        var itemsNode = -1
        var itemsFrom = 0
        /// `items: false` after `prefixItems`: how many elements are allowed; -1 for no limit.
        var itemsAllowed = -1
        /// Decided on bytes for arrays of strings without escapes, whose bytes are their values.
        var uniqueItems = false
        var required: Range<Int> = 0..<0
        var minProperties = 0
        var maxProperties = Int.max
        var hasMembers = false
        var members: Range<Int> = 0..<0
        var memberPatterns: Range<Int> = 0..<0
        /// `additionalProperties`: a node, ``anyAdditional`` or ``noAdditional``.
        var additional = ByteNode.anyAdditional
        var inPlace: Range<Int> = 0..<0

        /// Whether the node checks nothing but that the value, if an object, has the required
        /// members (and its type): then the names of an object already read answer it.
        var asksOnlyNames: Bool {
            decidable && !alwaysFalse && allowed.isEmpty && numberChecks.isEmpty && minLength == 0 && maxLength == .max
                && patterns.isEmpty && formats.isEmpty && minItems == 0 && maxItems == .max && prefixItems.isEmpty
                && itemsNode < 0 && itemsAllowed < 0 && !uniqueItems && minProperties == 0 && maxProperties == .max
                && !hasMembers && inPlace.isEmpty
        }

        /// Whether a string's value must be looked at (its bytes, length or form).
        var checksStrings: Bool {
            !allowed.isEmpty || minLength > 0 || maxLength != .max || !patterns.isEmpty || !formats.isEmpty
        }

        struct Formats: OptionSet, Sendable {
            let rawValue: UInt8
            static let date = Formats(rawValue: 1)
            static let dateTime = Formats(rawValue: 2)
            static let uuid = Formats(rawValue: 4)

            init(rawValue: UInt8) { self.rawValue = rawValue }

            init(_ format: StringFormat) {
                switch format {
                case .date: self = .date
                case .dateTime: self = .dateTime
                case .uuid: self = .uuid
                }
            }

            /// Every format with its bit, made once from `StringFormat.allCases`: a format added
            /// there is checked on bytes without another change here.
            static let table: [(bit: Formats, format: StringFormat)] = StringFormat.allCases.map { (Formats($0), $0) }

            var each: [StringFormat] {
                Self.table.compactMap { contains($0.bit) ? $0.format : nil }
            }
        }
    }

    /// An `enum` or `const`, split by kind for comparing with bytes; its strings are in the
    /// program's pool.
    struct ByteAllowedValues: Sendable {
        /// Indexes into ``ByteTables/strings``.
        var strings: [Int] = []
        var numbers: [JSONNumber] = []
        var booleans: [Bool] = []
        var allowsNull = false
        var hasContainers = false
        /// The values as the tree compares them, for strings whose bytes hold escapes.
        var values: AllowedValues

        init(_ values: [JSONValue], program: inout ByteTables) {
            self.values = AllowedValues(values)
            for value in values {
                switch value {
                case .string(let s): strings.append(program.addString(s))
                case .number(let n): numbers.append(n)
                case .bool(let b): booleans.append(b)
                case .null: allowsNull = true
                case .array, .object: hasContainers = true
                }
            }
        }
    }
}
