/// Applies compiled ``JSONSchema`` nodes to an instance.
///
/// Two modes: *collecting* records every violation with its path (for ``JSONSchema/validate(_:)``);
/// otherwise evaluation stops at the first failure and no path or message is ever built (for
/// ``JSONSchema/isValid(_:)`` and for subschemas whose own failures are not reported, such as
/// the branches of `anyOf` or the condition of `if`).
struct SchemaEvaluator {
    private let nodes: [JSONSchema.Node]
    /// ``JSONSchema/effective``: where a `$ref`-only node's work is.
    private let effective: [Int]
    private let collecting: Bool
    private var path: [JSONPath.Component] = []
    private(set) var violations: [SchemaViolation] = []

    init(nodes: [JSONSchema.Node], effective: [Int], collecting: Bool) {
        self.nodes = nodes
        self.effective = effective
        self.collecting = collecting
    }

    /// Whether `value` satisfies node `index`; in collecting mode, records why not.
    mutating func evaluate(_ node: Int, _ value: JSONValue) -> Bool {
        let index = effective[node]
        var valid = true
        for check in nodes[index].checks where !apply(check, node: index, to: value) {
            valid = false
            if !collecting { return false }
        }
        return valid
    }

    // MARK: Helpers

    /// Evaluates a subschema only for its verdict, never recording its violations.
    private func probe(_ index: Int, _ value: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(nodes: nodes, effective: effective, collecting: false)
        return evaluator.evaluate(index, value)
    }

    private mutating func evaluate(_ index: Int, _ value: JSONValue, at component: JSONPath.Component) -> Bool {
        guard collecting else { return evaluate(index, value) }
        path.append(component)
        defer { path.removeLast() }
        return evaluate(index, value)
    }

    /// Records a violation of `check` (in collecting mode) and returns `false`, so call sites
    /// read `return fail(...)`.
    private mutating func fail(
        _ check: JSONSchema.Check, node: Int, _ value: JSONValue, at component: JSONPath.Component? = nil,
        _ message: @autoclosure () -> String
    ) -> Bool {
        fail(keyword: check.keyword, node: node, value, at: component, message())
    }

    private mutating func fail(
        keyword: String, node: Int, _ value: JSONValue, at component: JSONPath.Component? = nil,
        _ message: @autoclosure () -> String
    ) -> Bool {
        guard collecting else { return false }
        var components = path
        if let component { components.append(component) }
        violations.append(
            SchemaViolation(
                instancePath: JSONPath(components), keyword: keyword,
                schemaLocation: keyword == "false"
                    ? nodes[node].location : nodes[node].location + "/" + JSONPointer.escape(keyword),
                valueKind: value.kind, message: message()))
        return false
    }

    /// Object keys in a stable order when it shows (violations), in storage order otherwise.
    private func keys(of members: [String: JSONValue]) -> [String] {
        collecting ? members.keys.sorted() : Array(members.keys)
    }

    /// The `properties`, `patternProperties` and `additionalProperties` that apply to one member.
    private mutating func applyMember(
        _ schemas: JSONSchema.MemberSchemas, _ key: String, _ member: JSONValue, node: Int
    )
        -> Bool
    {
        var matched = false
        var valid = true
        if let property = schemas.properties[key] {
            matched = true
            valid = evaluate(property, member, at: .key(key))
            if !valid, !collecting { return false }
        }
        for schema in schemas.patterns where schema.pattern.matches(key) {
            matched = true
            if !evaluate(schema.node, member, at: .key(key)) {
                valid = false
                if !collecting { return false }
            }
        }
        guard !matched, let additional = schemas.additional else { return valid }
        switch additional {
        case .schema(let schema):
            return evaluate(schema, member, at: .key(key))
        case .forbidden:
            return fail(
                keyword: "additionalProperties", node: node, member, at: .key(key),
                "property \(Message.quoted(key)) is not allowed here")
        }
    }

    // MARK: Keywords

    private mutating func apply(_ check: JSONSchema.Check, node: Int, to value: JSONValue) -> Bool {
        switch check {
        case .alwaysFalse:
            return fail(check, node: node, value, "no value is allowed here (the schema is false)")

        case .ref(let target):
            return evaluate(target, value)

        case .type(let types):
            if types.admits(value.kind) { return true }
            return fail(check, node: node, value, "expected \(types.spelled), found \(value.kind)")

        case .enumeration(let allowed):
            if allowed.contains(value) { return true }
            return fail(
                check, node: node, value,
                "\(Message.value(value)) is not one of the allowed values (\(Message.list(allowed.values)))")

        case .const(let constant):
            if value == constant { return true }
            return fail(
                check, node: node, value,
                "\(Message.value(value)) is not the required value \(Message.literal(constant))")

        case .minimum(let limit):
            guard case .number(let n) = value, n < limit else { return true }
            return fail(check, node: node, value, "number is less than the minimum \(limit)")
        case .maximum(let limit):
            guard case .number(let n) = value, n > limit else { return true }
            return fail(check, node: node, value, "number is greater than the maximum \(limit)")
        case .exclusiveMinimum(let limit):
            guard case .number(let n) = value, n <= limit else { return true }
            return fail(check, node: node, value, "number must be greater than \(limit)")
        case .exclusiveMaximum(let limit):
            guard case .number(let n) = value, n >= limit else { return true }
            return fail(check, node: node, value, "number must be less than \(limit)")
        case .multipleOf(let divisor):
            guard case .number(let n) = value, !n.isMultiple(of: divisor) else { return true }
            return fail(check, node: node, value, "number is not a multiple of \(divisor)")

        case .minLength(let limit):
            guard case .string(let s) = value else { return true }
            // A code point takes 1 to 4 UTF-8 bytes, and the byte count is free to get.
            let bytes = s.utf8.count
            if (bytes + 3) / 4 >= limit { return true }
            let length = s.unicodeScalars.count
            if length >= limit { return true }
            return fail(
                check, node: node, value,
                "string has \(Message.count(length, "character")), fewer than the minimum \(limit)")
        case .maxLength(let limit):
            guard case .string(let s) = value, s.utf8.count > limit else { return true }
            let length = s.unicodeScalars.count
            if length <= limit { return true }
            return fail(
                check, node: node, value,
                "string has \(Message.count(length, "character")), more than the maximum \(limit)")
        case .pattern(let pattern):
            guard case .string(let s) = value, !pattern.matches(s) else { return true }
            return fail(check, node: node, value, "string does not match the pattern \(pattern.source)")
        case .format(let format):
            guard case .string(let s) = value, !format.isValid(s) else { return true }
            return fail(check, node: node, value, "string is not \(format.expectation)")

        case .minItems(let limit):
            guard case .array(let items) = value, items.count < limit else { return true }
            return fail(
                check, node: node, value,
                "array has \(Message.count(items.count, "item")), fewer than the minimum \(limit)")
        case .maxItems(let limit):
            guard case .array(let items) = value, items.count > limit else { return true }
            return fail(
                check, node: node, value,
                "array has \(Message.count(items.count, "item")), more than the maximum \(limit)")
        case .uniqueItems:
            guard case .array(let items) = value else { return true }
            var firstIndex: [JSONValue: Int] = [:]
            for (i, item) in items.enumerated() {
                if let earlier = firstIndex.updateValue(i, forKey: item) {
                    return fail(
                        check, node: node, value, "items [\(earlier)] and [\(i)] are equal, but items must be unique")
                }
            }
            return true
        case .prefixItems(let schemas):
            guard case .array(let items) = value else { return true }
            var valid = true
            for (i, schema) in zip(items.indices, schemas) where !evaluate(schema, items[i], at: .index(i)) {
                valid = false
                if !collecting { return false }
            }
            return valid
        case .items(let schema, let from):
            guard case .array(let items) = value, items.count > from else { return true }
            var valid = true
            for i in from..<items.count where !evaluate(schema, items[i], at: .index(i)) {
                valid = false
                if !collecting { return false }
            }
            return valid
        case .noItemsBeyond(let allowed):
            guard case .array(let items) = value, items.count > allowed else { return true }
            let limit =
                allowed == 0 ? "no items are allowed" : "only the first \(Message.count(allowed, "item")) are allowed"
            return fail(check, node: node, value, "array has \(Message.count(items.count, "item")), but \(limit)")
        case .contains(let schema, let min, let max):
            guard case .array(let items) = value else { return true }
            var matches = 0
            for item in items where probe(schema, item) {
                matches += 1
                if max == nil, matches >= min { return true }
            }
            if matches < min {
                if min == 1 { return fail(check, node: node, value, "array has no item matching the contains schema") }
                return fail(
                    check, node: node, value,
                    "array has \(Message.count(matches, "item")) matching the contains schema, fewer than minContains \(min)"
                )
            }
            if let max, matches > max {
                return fail(
                    check, node: node, value,
                    "array has \(Message.count(matches, "item")) matching the contains schema, more than maxContains \(max)"
                )
            }
            return true

        case .required(let names):
            guard case .object(let members) = value else { return true }
            var valid = true
            for name in names where members[name] == nil {
                valid = false
                _ = fail(check, node: node, value, "missing required property \(Message.quoted(name))")
                if !collecting { return false }
            }
            return valid
        case .minProperties(let limit):
            guard case .object(let members) = value, members.count < limit else { return true }
            return fail(
                check, node: node, value,
                "object has \(Message.count(members.count, "property")), fewer than the minimum \(limit)")
        case .maxProperties(let limit):
            guard case .object(let members) = value, members.count > limit else { return true }
            return fail(
                check, node: node, value,
                "object has \(Message.count(members.count, "property")), more than the maximum \(limit)")
        case .dependentRequired(let dependencies):
            guard case .object(let members) = value else { return true }
            var valid = true
            for (property, requires) in dependencies where members[property] != nil {
                for name in requires where members[name] == nil {
                    valid = false
                    _ = fail(
                        check, node: node, value,
                        "missing property \(Message.quoted(name)), required when \(Message.quoted(property)) is present"
                    )
                    if !collecting { return false }
                }
            }
            return valid
        case .members(let schemas):
            guard case .object(let members) = value else { return true }
            if collecting {
                // Sorted, so that violations come out in a stable order.
                var valid = true
                for key in members.keys.sorted() where !applyMember(schemas, key, members[key]!, node: node) {
                    valid = false
                }
                return valid
            }
            for (key, member) in members where !applyMember(schemas, key, member, node: node) {
                return false
            }
            return true
        case .propertyNames(let schema):
            guard case .object(let members) = value else { return true }
            var valid = true
            for key in keys(of: members) where !probe(schema, .string(key)) {
                valid = false
                _ = fail(
                    check, node: node, value, "property name \(Message.quoted(key)) does not satisfy propertyNames")
                if !collecting { return false }
            }
            return valid
        case .dependentSchemas(let schemas):
            guard case .object(let members) = value else { return true }
            var valid = true
            for schema in schemas where members[schema.name] != nil && !evaluate(schema.node, value) {
                valid = false
                if !collecting { return false }
            }
            return valid

        case .allOf(let schemas):
            var valid = true
            for schema in schemas where !evaluate(schema, value) {
                valid = false
                if !collecting { return false }
            }
            return valid
        case .anyOf(let schemas):
            if schemas.contains(where: { probe($0, value) }) { return true }
            return fail(check, node: node, value, "value matches none of the \(schemas.count) schemas in anyOf")
        case .oneOf(let schemas):
            var matching: [Int] = []
            for (i, schema) in schemas.enumerated() where probe(schema, value) {
                matching.append(i)
                if matching.count > 1, !collecting { return false }
            }
            if matching.count == 1 { return true }
            if matching.isEmpty {
                return fail(
                    check, node: node, value,
                    "value matches none of the \(schemas.count) schemas in oneOf, exactly one is required")
            }
            let which = matching.map { "#\($0)" }.joined(separator: ", ")
            return fail(
                check, node: node, value,
                "value matches \(matching.count) schemas in oneOf (\(which)), exactly one is required")
        case .not(let schema):
            if !probe(schema, value) { return true }
            return fail(check, node: node, value, "value must not match the schema in not")
        case .conditional(let condition, let then, let otherwise):
            let branch = probe(condition, value) ? then : otherwise
            guard let branch else { return true }
            return evaluate(branch, value)
        }
    }
}

/// Wording shared by violation messages; nothing here echoes an instance's free text.
private enum Message {
    /// The longest string value that an enum/const message repeats in full.
    static let maxEcho = 40

    /// How a mismatching value is named: short strings, booleans and null are shown (a misspelt
    /// code is what the sender needs to see); numbers, long strings and containers by type only.
    static func value(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): "value \(quoted(s))"
        case .bool, .null: "value \(value)"
        default: "a value of type \(value.kind)"
        }
    }

    /// A string in quotes, cut to ``maxEcho`` characters.
    static func quoted(_ s: String) -> String {
        var out = ""
        JSONValue.writeQuoted(s.count > maxEcho ? String(s.prefix(maxEcho)) + "…" : s, to: &out)
        return out
    }

    /// A schema value as JSON, cut to ``maxEcho`` characters.
    static func literal(_ value: JSONValue) -> String {
        let text = value.description
        return text.count > maxEcho ? String(text.prefix(maxEcho)) + "…" : text
    }

    /// `bail_bond, sentence_served, …`: plain codes bare, anything else as JSON, at most eight.
    static func list(_ values: [JSONValue]) -> String {
        var shown = values.prefix(8).map { value -> String in
            if case .string(let s) = value, !s.isEmpty,
                s.unicodeScalars.allSatisfy({
                    $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:/".unicodeScalars.contains($0)
                })
            {
                return s
            }
            return literal(value)
        }
        if values.count > 8 { shown.append("…") }
        return shown.joined(separator: ", ")
    }

    /// "1 item", "3 items", "1 property", "2 properties".
    static func count(_ n: Int, _ noun: String) -> String {
        if n == 1 { return "1 \(noun)" }
        return noun.hasSuffix("y") ? "\(n) \(noun.dropLast())ies" : "\(n) \(noun)s"
    }
}
