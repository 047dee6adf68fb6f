/// The shared enumerations from `Topics/glossary.yaml`: each code with its one-line meaning.
///
/// The glossary is the single source of the codes partners exchange (release types, warrant
/// kinds, …). Every enumeration becomes a definition in each exported schema, so a code outside
/// the glossary fails validation at the edge rather than surprising a consumer.
public struct Glossary: Sendable {
    public struct Enumeration: Sendable, Hashable {
        public var name: String
        public var description: String
        /// Codes sorted alphabetically, each with its definition.
        public var values: [(code: String, definition: String)]

        public var codes: [String] { values.map(\.code) }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.name == rhs.name && lhs.description == rhs.description && lhs.codes == rhs.codes
                && lhs.values.map(\.definition) == rhs.values.map(\.definition)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(name)
            hasher.combine(codes)
        }

        /// The schema for this enumeration: a string among the codes.
        var schema: JSONValue {
            .object([
                "description": .string(description),
                "type": "string",
                "enum": .array(codes.map(JSONValue.string)),
            ])
        }
    }

    /// Enumerations by name, e.g. `releaseType`.
    public var enumerations: [String: Enumeration]

    public init(enumerations: [String: Enumeration]) {
        self.enumerations = enumerations
    }
}
