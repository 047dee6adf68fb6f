/// Why a schema document could not be turned into a ``JSONSchema``.
///
/// Contracts are compiled when they are loaded, so a broken or unsupported schema fails loudly
/// at start-up (or in `topics validate`) instead of silently accepting events it should reject.
public struct SchemaCompilationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// A keyword's value has the wrong type or range, e.g. `"minLength": -1`.
        case invalidKeywordValue(keyword: String, expected: String)
        /// A `pattern` or `patternProperties` key is not a regular expression we can compile.
        case invalidPattern(String)
        /// A `$ref` that does not lead to a schema in this document. Only local references are
        /// supported: `#`, `#/json/pointer`, or the root `$id` followed by one of those.
        case unresolvableReference(String)
        /// A keyword this validator deliberately does not implement (`$dynamicRef`,
        /// `unevaluatedProperties`, an `$id` inside a subschema, …). Ignoring it would make the
        /// schema accept more than its author meant.
        case unsupportedKeyword(String)
        /// A chain of `$ref`/`allOf`/`anyOf`/`oneOf`/`not`/`if`/`then`/`else`/`dependentSchemas`
        /// leads back to itself without moving into the instance, so validation would never end.
        case referenceCycle
        /// A subschema is neither an object nor a boolean.
        case notASchema
    }

    /// What is wrong.
    public var reason: Reason
    /// Where in the schema document, e.g. `#/properties/subject/$ref`.
    public var schemaLocation: String

    public init(reason: Reason, schemaLocation: String) {
        self.reason = reason
        self.schemaLocation = schemaLocation
    }

    public var description: String {
        let what: String
        switch reason {
        case .invalidKeywordValue(let keyword, let expected):
            what = "the value of \"\(keyword)\" must be \(expected)"
        case .invalidPattern(let pattern):
            what = "\"\(pattern)\" is not a valid regular expression"
        case .unresolvableReference(let ref):
            what = "$ref \"\(ref)\" does not resolve to a schema in this document"
        case .unsupportedKeyword(let keyword):
            what = "\"\(keyword)\" is not supported by this validator"
        case .referenceCycle:
            what = "references loop back to this schema without descending into the instance"
        case .notASchema:
            what = "a schema must be an object or a boolean"
        }
        return "invalid schema at \(schemaLocation): \(what)"
    }
}
