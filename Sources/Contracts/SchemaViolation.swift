/// One way an instance fails its schema: where, which rule, and a sentence saying why.
///
/// Violations go back to partners (HTTP answers, dead-letter reasons), so each one names the
/// exact location and rule instead of a bare "invalid". Messages describe the problem without
/// echoing the offending value, since event fields hold personal data; the one exception is a
/// short string that is not among an `enum`'s or `const`'s allowed values (a misspelt code such
/// as `"bale"` is what a partner needs to see), shown truncated to 40 characters.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance the failing keyword was applied, e.g. `$.subject.dateOfBirth`.
    public var instancePath: JSONPath
    /// The keyword whose rule failed, e.g. `required`, `pattern`, `format`; `false` for a
    /// subschema that is the literal `false`.
    public var keyword: String
    /// Where the keyword is in the schema document, as a URI fragment with a JSON Pointer
    /// (e.g. `#/properties/subject/properties/dateOfBirth/format`). Through a `$ref`, this is
    /// the location in the referenced schema.
    public var schemaLocation: String
    /// The JSON type of the value at ``instancePath``.
    public var valueKind: JSONValue.Kind
    /// What is wrong, without the location, e.g. `missing required property "releaseDate"`.
    public var message: String

    public init(
        instancePath: JSONPath, keyword: String, schemaLocation: String, valueKind: JSONValue.Kind,
        message: String
    ) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.schemaLocation = schemaLocation
        self.valueKind = valueKind
        self.message = message
    }

    /// The location followed by the message, e.g.
    /// `$.releaseType: value "bale" is not one of the allowed values (bail_bond, …)`.
    public var description: String {
        "\(instancePath): \(message)"
    }
}
