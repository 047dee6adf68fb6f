import Foundation

/// Turns a schema document into ``JSONSchema`` nodes: checks keyword values, builds regular
/// expressions once, resolves `$ref`s and rejects reference cycles.
///
/// Each subschema is compiled once per JSON Pointer location, so a `$ref` and the `$defs`
/// entry it names share one node. References are resolved after the tree is compiled, from a
/// work list, which keeps recursion as deep as the document and no deeper.
struct SchemaCompiler {
    typealias Node = JSONSchema.Node
    typealias Check = JSONSchema.Check
    typealias Failure = SchemaCompilationError

    private let document: JSONValue
    private let options: JSONSchema.Options
    /// The root `$id` without a trailing `#`: references may spell it out before the fragment.
    private let rootID: String?
    private var nodes: [Node] = []
    private var nodeByPointer: [String: Int] = [:]
    private var patterns: [String: JSONSchema.Pattern] = [:]
    /// `$ref`s waiting to be resolved: the node and check holding a placeholder.
    private var pendingRefs: [(node: Int, check: Int, ref: String, location: String)] = []

    /// Keywords we know and do not implement; ignoring them would loosen the contract.
    private static let unsupported: Set<String> = [
        "$dynamicRef", "$recursiveRef", "unevaluatedProperties", "unevaluatedItems",
    ]

    init(document: JSONValue, options: JSONSchema.Options) {
        self.document = document
        self.options = options
        if case .string(let id) = document["$id"] {
            rootID = id.hasSuffix("#") ? String(id.dropLast()) : id
        } else {
            rootID = nil
        }
    }

    mutating func compileDocument() throws(Failure) -> [Node] {
        _ = try compile(document, at: [])
        while let pending = pendingRefs.popLast() {
            let target = try resolve(pending.ref, location: pending.location)
            nodes[pending.node].checks[pending.check] = .ref(target)
        }
        try rejectCycles()
        return nodes
    }

    // MARK: Subschemas

    private mutating func compile(_ value: JSONValue, at tokens: [String]) throws(Failure) -> Int {
        let pointer = JSONPointer.string(tokens)
        if let existing = nodeByPointer[pointer] { return existing }
        let index = nodes.count
        let location = "#" + pointer
        nodes.append(Node(location: location, checks: []))
        nodeByPointer[pointer] = index
        switch value {
        case .bool(true):
            break
        case .bool(false):
            nodes[index].checks = [.alwaysFalse]
        case .object(let keywords):
            try compileKeywords(keywords, node: index, tokens: tokens)
        default:
            throw Failure(reason: .notASchema, schemaLocation: location)
        }
        return index
    }

    private mutating func compileKeywords(_ k: [String: JSONValue], node: Int, tokens: [String])
        throws(Failure)
    {
        let base = nodes[node].location
        func at(_ keyword: String) -> String { base + "/" + JSONPointer.escape(keyword) }
        func invalid(_ keyword: String, _ expected: String) -> Failure {
            Failure(reason: .invalidKeywordValue(keyword: keyword, expected: expected), schemaLocation: at(keyword))
        }

        for keyword in Self.unsupported.sorted() where k[keyword] != nil {
            throw Failure(reason: .unsupportedKeyword(keyword), schemaLocation: at(keyword))
        }
        if !tokens.isEmpty, k["$id"] != nil {
            throw Failure(reason: .unsupportedKeyword("$id"), schemaLocation: at("$id"))
        }

        var checks: [Check] = []

        // Definitions first, so that they are compiled (and checked) even when unused.
        if let defs = k["$defs"] {
            guard case .object(let entries) = defs else { throw invalid("$defs", "an object of schemas") }
            for name in entries.keys.sorted() {
                _ = try compile(entries[name]!, at: tokens + ["$defs", name])
            }
        }
        if let ref = k["$ref"] {
            guard case .string(let string) = ref else { throw invalid("$ref", "a string") }
            pendingRefs.append((node, checks.count, string, at("$ref")))
            checks.append(.ref(-1))
        }

        // Any instance.
        if let type = k["type"] {
            checks.append(.type(try typeSet(type, invalid("type", "a type name or an array of unique type names"))))
        }
        if let values = k["enum"] {
            guard case .array(let allowed) = values else { throw invalid("enum", "an array") }
            checks.append(.enumeration(JSONSchema.AllowedValues(allowed)))
        }
        if let value = k["const"] {
            checks.append(.const(value))
        }

        // Numbers.
        for (keyword, make) in [
            ("minimum", Check.minimum), ("maximum", Check.maximum),
            ("exclusiveMinimum", Check.exclusiveMinimum), ("exclusiveMaximum", Check.exclusiveMaximum),
        ] as [(String, (JSONNumber) -> Check)] {
            guard let value = k[keyword] else { continue }
            guard case .number(let n) = value else { throw invalid(keyword, "a number") }
            checks.append(make(n))
        }
        if let value = k["multipleOf"] {
            guard case .number(let n) = value, n > JSONNumber(0) else {
                throw invalid("multipleOf", "a number greater than 0")
            }
            checks.append(.multipleOf(n))
        }

        // Strings.
        if let n = try count(k, "minLength", invalid) { checks.append(.minLength(n)) }
        if let n = try count(k, "maxLength", invalid) { checks.append(.maxLength(n)) }
        if let value = k["pattern"] {
            guard case .string(let source) = value else { throw invalid("pattern", "a string") }
            checks.append(.pattern(try pattern(source, location: at("pattern"))))
        }
        if let value = k["format"] {
            guard case .string(let name) = value else { throw invalid("format", "a string") }
            if options.assertsFormat, let format = StringFormat(rawValue: name) {
                checks.append(.format(format))
            }
        }

        // Arrays.
        if let n = try count(k, "minItems", invalid) { checks.append(.minItems(n)) }
        if let n = try count(k, "maxItems", invalid) { checks.append(.maxItems(n)) }
        if let value = k["uniqueItems"] {
            guard case .bool(let unique) = value else { throw invalid("uniqueItems", "a boolean") }
            if unique { checks.append(.uniqueItems) }
        }
        var prefixCount = 0
        if let value = k["prefixItems"] {
            let nodes = try schemaArray(value, keyword: "prefixItems", tokens: tokens, invalid)
            prefixCount = nodes.count
            checks.append(.prefixItems(nodes))
        }
        if let value = k["items"] {
            let item = try compile(value, at: tokens + ["items"])
            checks.append(
                value == .bool(false) ? .noItemsBeyond(allowed: prefixCount) : .items(item, from: prefixCount))
        }
        if let value = k["contains"] {
            let node = try compile(value, at: tokens + ["contains"])
            let min = try count(k, "minContains", invalid) ?? 1
            let max = try count(k, "maxContains", invalid)
            checks.append(.contains(node, min: min, max: max))
        }

        // Objects.
        if let value = k["required"] {
            checks.append(.required(try uniqueStrings(value, invalid("required", "an array of unique strings"))))
        }
        if let n = try count(k, "minProperties", invalid) { checks.append(.minProperties(n)) }
        if let n = try count(k, "maxProperties", invalid) { checks.append(.maxProperties(n)) }
        if let value = k["dependentRequired"] {
            let failure = invalid("dependentRequired", "an object of arrays of unique strings")
            guard case .object(let entries) = value else { throw failure }
            var dependencies: [(property: String, requires: [String])] = []
            for name in entries.keys.sorted() {
                dependencies.append((name, try uniqueStrings(entries[name]!, failure)))
            }
            checks.append(.dependentRequired(dependencies))
        }
        var members = JSONSchema.MemberSchemas()
        if let value = k["properties"] {
            for named in try schemaMap(value, keyword: "properties", tokens: tokens, invalid) {
                members.properties[named.name] = named.node
            }
        }
        if let value = k["patternProperties"] {
            guard case .object(let entries) = value else { throw invalid("patternProperties", "an object of schemas") }
            for source in entries.keys.sorted() {
                let regex = try pattern(source, location: at("patternProperties") + "/" + JSONPointer.escape(source))
                let node = try compile(entries[source]!, at: tokens + ["patternProperties", source])
                members.patterns.append(JSONSchema.PatternSchema(pattern: regex, node: node))
            }
        }
        if let value = k["additionalProperties"] {
            let node = try compile(value, at: tokens + ["additionalProperties"])
            members.additional = value == .bool(false) ? .forbidden : .schema(node)
        }
        if k["properties"] != nil || k["patternProperties"] != nil || k["additionalProperties"] != nil {
            checks.append(.members(members))
        }
        if let value = k["propertyNames"] {
            checks.append(.propertyNames(try compile(value, at: tokens + ["propertyNames"])))
        }
        if let value = k["dependentSchemas"] {
            checks.append(.dependentSchemas(try schemaMap(value, keyword: "dependentSchemas", tokens: tokens, invalid)))
        }

        // In-place applicators.
        for (keyword, make) in [("allOf", Check.allOf), ("anyOf", Check.anyOf), ("oneOf", Check.oneOf)]
            as [(String, ([Int]) -> Check)]
        {
            guard let value = k[keyword] else { continue }
            let nodes = try schemaArray(value, keyword: keyword, tokens: tokens, invalid)
            guard !nodes.isEmpty else { throw invalid(keyword, "a non-empty array of schemas") }
            checks.append(make(nodes))
        }
        if let value = k["not"] {
            checks.append(.not(try compile(value, at: tokens + ["not"])))
        }
        // `then` and `else` are compiled even without `if` so that references to them resolve.
        let thenNode = try k["then"].map { v throws(Failure) in try compile(v, at: tokens + ["then"]) }
        let elseNode = try k["else"].map { v throws(Failure) in try compile(v, at: tokens + ["else"]) }
        if let value = k["if"] {
            let ifNode = try compile(value, at: tokens + ["if"])
            if thenNode != nil || elseNode != nil {
                checks.append(.conditional(if: ifNode, then: thenNode, else: elseNode))
            }
        }

        nodes[node].checks = checks
    }

    // MARK: Keyword values

    private func typeSet(_ value: JSONValue, _ failure: Failure) throws(Failure) -> JSONSchema.TypeSet {
        func one(_ name: String) throws(Failure) -> JSONSchema.TypeSet {
            guard let entry = JSONSchema.TypeSet.names.first(where: { $0.0 == name }) else { throw failure }
            return entry.1
        }
        switch value {
        case .string(let name):
            return try one(name)
        case .array(let names):
            var set: JSONSchema.TypeSet = []
            for item in names {
                guard case .string(let name) = item else { throw failure }
                let type = try one(name)
                guard !set.contains(type) else { throw failure }
                set.insert(type)
            }
            return set
        default:
            throw failure
        }
    }

    /// A non-negative integer keyword; values beyond `Int` saturate, as no instance reaches them.
    private func count(_ k: [String: JSONValue], _ keyword: String, _ invalid: (String, String) -> Failure)
        throws(Failure) -> Int?
    {
        guard let value = k[keyword] else { return nil }
        guard case .number(let n) = value, n.isInteger, n >= JSONNumber(0) else {
            throw invalid(keyword, "a non-negative integer")
        }
        return n.int64Value.map { Int(clamping: $0) } ?? Int.max
    }

    private func uniqueStrings(_ value: JSONValue, _ failure: Failure) throws(Failure) -> [String] {
        guard case .array(let items) = value else { throw failure }
        var strings: [String] = []
        for item in items {
            guard case .string(let s) = item, !strings.contains(s) else { throw failure }
            strings.append(s)
        }
        return strings
    }

    private mutating func schemaArray(
        _ value: JSONValue, keyword: String, tokens: [String], _ invalid: (String, String) -> Failure
    ) throws(Failure) -> [Int] {
        guard case .array(let items) = value else { throw invalid(keyword, "an array of schemas") }
        var nodes: [Int] = []
        for (i, item) in items.enumerated() {
            nodes.append(try compile(item, at: tokens + [keyword, String(i)]))
        }
        return nodes
    }

    private mutating func schemaMap(
        _ value: JSONValue, keyword: String, tokens: [String], _ invalid: (String, String) -> Failure
    ) throws(Failure) -> [JSONSchema.NamedSchema] {
        guard case .object(let entries) = value else { throw invalid(keyword, "an object of schemas") }
        var named: [JSONSchema.NamedSchema] = []
        for name in entries.keys.sorted() {
            named.append(
                JSONSchema.NamedSchema(name: name, node: try compile(entries[name]!, at: tokens + [keyword, name])))
        }
        return named
    }

    private mutating func pattern(_ source: String, location: String) throws(Failure) -> JSONSchema.Pattern {
        if let cached = patterns[source] { return cached }
        guard let compiled = JSONSchema.Pattern(source) else {
            throw Failure(reason: .invalidPattern(source), schemaLocation: location)
        }
        patterns[source] = compiled
        return compiled
    }

    // MARK: References

    /// The node a `$ref` names. Only references into this document are supported: a fragment
    /// (`#`, `#/json/pointer`, percent-encoded as URIs require), optionally after the root `$id`.
    private mutating func resolve(_ ref: String, location: String) throws(Failure) -> Int {
        let failure = Failure(reason: .unresolvableReference(ref), schemaLocation: location)
        var fragment: Substring
        if let hash = ref.firstIndex(of: "#") {
            let base = ref[..<hash]
            guard base.isEmpty || String(base) == rootID else { throw failure }
            fragment = ref[ref.index(after: hash)...]
        } else {
            guard ref == rootID else { throw failure }
            fragment = ""
        }
        guard let decoded = String(fragment).removingPercentEncoding,
            let tokens = JSONPointer.tokens(decoded),
            let target = JSONPointer.resolve(tokens, in: document)
        else { throw failure }
        return try compile(target, at: tokens)
    }

    /// Rejects a loop of in-place applicators (`$ref`, `allOf`, …), which would recurse forever
    /// on the same instance. Loops through `properties`, `items` and the like are fine: each
    /// step descends into the instance, which is finite.
    private func rejectCycles() throws(Failure) {
        enum Mark { case unvisited, active, done }
        var marks = [Mark](repeating: .unvisited, count: nodes.count)
        for start in nodes.indices where marks[start] == .unvisited {
            // Iterative depth-first search: (node, next child position).
            var stack: [(node: Int, children: [Int], next: Int)] = []
            marks[start] = .active
            stack.append((start, nodes[start].checks.flatMap(\.inPlaceSubschemas), 0))
            while !stack.isEmpty {
                let top = stack.count - 1
                guard stack[top].next < stack[top].children.count else {
                    marks[stack[top].node] = .done
                    stack.removeLast()
                    continue
                }
                let child = stack[top].children[stack[top].next]
                stack[top].next += 1
                switch marks[child] {
                case .active:
                    throw Failure(reason: .referenceCycle, schemaLocation: nodes[child].location)
                case .unvisited:
                    marks[child] = .active
                    stack.append((child, nodes[child].checks.flatMap(\.inPlaceSubschemas), 0))
                case .done:
                    break
                }
            }
        }
    }
}
