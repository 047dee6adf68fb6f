import Contracts
import Testing

/// Where violations point and what they say: partners fix their payloads from these.
struct SchemaViolationTests {
    static let releaseSchema: JSONValue = [
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Release scheduled",
        "x-classification": "CJI",
        "type": "object",
        "required": ["eventId", "releaseType", "subject", "charges"],
        "additionalProperties": false,
        "properties": [
            "eventId": ["type": "string", "format": "uuid"],
            "releaseType": ["enum": ["bail_bond", "sentence_served", "parole", "probation", "court_order"]],
            "releaseDate": ["type": "string", "format": "date"],
            "recordedAt": ["type": "string", "format": "date-time"],
            "subject": ["$ref": "#/$defs/person"],
            "charges": [
                "type": "array",
                "minItems": 1,
                "items": ["$ref": "#/$defs/charge"],
            ],
        ],
        "$defs": [
            "person": [
                "type": "object",
                "required": ["stateId", "lastName"],
                "properties": [
                    "stateId": ["type": "string", "pattern": "^[A-Z]{2}[0-9]{6,9}$"],
                    "lastName": ["type": "string", "minLength": 1, "maxLength": 60],
                    "dateOfBirth": ["type": "string", "format": "date"],
                    "aliases": ["type": "array", "items": ["type": "string"], "uniqueItems": true],
                ],
            ],
            "charge": [
                "type": "object",
                "required": ["statute"],
                "properties": [
                    "statute": ["type": "string"],
                    "severity": ["enum": ["felony", "misdemeanor", nil]],
                    "counts": ["type": "integer", "minimum": 1],
                ],
            ],
        ],
    ]

    static let validRelease: JSONValue = [
        "eventId": "2eb8aa08-aa98-11ea-b4aa-73b441d16380",
        "releaseType": "bail_bond",
        "releaseDate": "2024-05-01",
        "recordedAt": "2024-04-30T18:02:11.5-05:00",
        "subject": ["stateId": "MO1234567", "lastName": "Doe", "dateOfBirth": "1990-02-28", "aliases": ["JD"]],
        "charges": [["statute": "RSMo 570.030", "severity": "felony", "counts": 2.0]],
    ]

    func schema() throws -> JSONSchema { try JSONSchema(Self.releaseSchema) }

    func replacing(_ path: [String], in value: JSONValue, with replacement: JSONValue?) -> JSONValue {
        guard let head = path.first, case .object(var members) = value else { return replacement ?? value }
        if path.count == 1 {
            members[head] = replacement
        } else {
            members[head] = replacing(Array(path.dropFirst()), in: members[head] ?? [:], with: replacement)
        }
        return .object(members)
    }

    @Test func validEventHasNoViolations() throws {
        #expect(try schema().validate(Self.validRelease) == [])
        #expect(try schema().isValid(Self.validRelease))
    }

    @Test func enumMismatchQuotesShortValueAndAllowedValues() throws {
        let event = replacing(["releaseType"], in: Self.validRelease, with: "bale")
        let violations = try schema().validate(event)
        #expect(violations.count == 1)
        let violation = try #require(violations.first)
        #expect(violation.instancePath.description == "$.releaseType")
        #expect(violation.keyword == "enum")
        #expect(violation.schemaLocation == "#/properties/releaseType/enum")
        #expect(violation.valueKind == .string)
        #expect(
            violation.description
                == #"$.releaseType: value "bale" is not one of the allowed values (bail_bond, sentence_served, parole, probation, court_order)"#
        )
    }

    @Test func enumMismatchTruncatesLongStringsAndHidesNumbers() throws {
        let long = String(repeating: "x", count: 100)
        let violations = try schema().validate(replacing(["releaseType"], in: Self.validRelease, with: .string(long)))
        #expect(violations.first?.message.contains(String(repeating: "x", count: 40) + "…\"") == true)
        #expect(violations.first?.message.contains(String(repeating: "x", count: 41)) == false)

        let number = try schema().validate(replacing(["releaseType"], in: Self.validRelease, with: 123_456_789))
        #expect(number.first?.message.hasPrefix("a value of type integer is not one of the allowed values") == true)
        #expect(number.first?.message.contains("123456789") == false)
    }

    @Test func nestedObjectPathGoesThroughRef() throws {
        let event = replacing(["subject", "dateOfBirth"], in: Self.validRelease, with: "02/28/1990")
        let violations = try schema().validate(event)
        #expect(violations.count == 1)
        let violation = try #require(violations.first)
        #expect(violation.instancePath.description == "$.subject.dateOfBirth")
        #expect(violation.instancePath.jsonPointer == "/subject/dateOfBirth")
        #expect(violation.keyword == "format")
        #expect(violation.schemaLocation == "#/$defs/person/properties/dateOfBirth/format")
        #expect(violation.description == "$.subject.dateOfBirth: string is not a date (RFC 3339 full-date, YYYY-MM-DD)")
        #expect(!violation.description.contains("1990"))
    }

    @Test func arrayPathsNameTheIndex() throws {
        let charges: JSONValue = [
            ["statute": "a"],
            ["statute": "b", "counts": 0],
            ["severity": "infraction", "counts": 1.5],
        ]
        let violations = try schema().validate(replacing(["charges"], in: Self.validRelease, with: charges))
        #expect(
            violations.map(\.description) == [
                "$.charges[1].counts: number is less than the minimum 1",
                #"$.charges[2]: missing required property "statute""#,
                "$.charges[2].counts: expected integer, found number",
                #"$.charges[2].severity: value "infraction" is not one of the allowed values (felony, misdemeanor, null)"#,
            ])
        #expect(
            violations.map(\.schemaLocation) == [
                "#/$defs/charge/properties/counts/minimum",
                "#/$defs/charge/required",
                "#/$defs/charge/properties/counts/type",
                "#/$defs/charge/properties/severity/enum",
            ])
    }

    @Test func collectsEveryViolation() throws {
        let event: JSONValue = [
            "eventId": "not-a-uuid",
            "releaseType": "parole",
            "subject": ["stateId": "mo12", "lastName": "", "aliases": ["A", "B", "A"]],
            "charges": [],
            "officerNotes": "free text that must not be echoed",
        ]
        let violations = try schema().validate(event)
        #expect(
            violations.map(\.description) == [
                "$.charges: array has 0 items, fewer than the minimum 1",
                "$.eventId: string is not a UUID (8-4-4-4-12 hexadecimal digits)",
                #"$.officerNotes: property "officerNotes" is not allowed here"#,
                "$.subject.aliases: items [0] and [2] are equal, but items must be unique",
                "$.subject.lastName: string has 0 characters, fewer than the minimum 1",
                "$.subject.stateId: string does not match the pattern ^[A-Z]{2}[0-9]{6,9}$",
            ])
        #expect(
            violations.map(\.keyword) == [
                "minItems", "format", "additionalProperties", "uniqueItems", "minLength", "pattern",
            ])
        #expect(violations[2].schemaLocation == "#/additionalProperties")
        #expect(violations[2].instancePath.jsonPointer == "/officerNotes")
        #expect(!violations.contains { $0.description.contains("free text") || $0.description.contains("mo12") })
        #expect(try !schema().isValid(event))
    }

    @Test func missingRequiredPropertiesAreEachReported() throws {
        let violations = try schema().validate(["releaseType": "parole"])
        #expect(
            violations.map(\.description) == [
                #"$: missing required property "eventId""#,
                #"$: missing required property "subject""#,
                #"$: missing required property "charges""#,
            ])
        #expect(
            violations.allSatisfy {
                $0.keyword == "required" && $0.schemaLocation == "#/required" && $0.valueKind == .object
            })
    }

    @Test func typeMismatchAtRoot() throws {
        let violations = try schema().validate("hello")
        #expect(violations.map(\.description) == ["$: expected object, found string"])
    }

    @Test func lengthCountsCodePoints() throws {
        let schema = try JSONSchema(["maxLength": 2, "minLength": 2])
        #expect(schema.isValid("💩é"))  // two code points, four UTF-16 units
        #expect(schema.validate("e\u{301}x").map(\.message) == ["string has 3 characters, more than the maximum 2"])
    }

    @Test func pathsQuoteUnusualMemberNames() throws {
        let schema = try JSONSchema(["additionalProperties": ["type": "integer"]])
        let violations = schema.validate(["first name": 1, "it's": "x", "a/b~c": "y"])
        #expect(violations.map(\.instancePath.description) == [#"$['a/b~c']"#, #"$['it\'s']"#])
        #expect(violations.map(\.instancePath.jsonPointer) == ["/a~1b~0c", "/it's"])
        #expect(
            JSONPath.root.appending(key: "items").appending(index: 2).appending(key: "name").description
                == "$.items[2].name")
    }

    @Test func combinatorMessages() throws {
        let schema = try JSONSchema([
            "properties": [
                "a": ["anyOf": [["type": "string"], ["type": "null"]]],
                "b": ["oneOf": [["minimum": 0], ["maximum": 10]]],
                "c": ["not": ["const": "secret"]],
                "d": ["const": ["kind": "x"]],
                "e": ["if": ["type": "string"], "then": ["format": "date"], "else": ["type": "integer"]],
            ]
        ])
        let violations = schema.validate(["a": 1, "b": 5, "c": "secret", "d": ["kind": "y"], "e": 1.5])
        #expect(
            violations.map(\.description) == [
                "$.a: value matches none of the 2 schemas in anyOf",
                "$.b: value matches 2 schemas in oneOf (#0, #1), exactly one is required",
                "$.c: value must not match the schema in not",
                #"$.d: a value of type object is not the required value {"kind":"x"}"#,
                "$.e: expected integer, found number",
            ])
        #expect(
            violations.map(\.schemaLocation) == [
                "#/properties/a/anyOf", "#/properties/b/oneOf", "#/properties/c/not", "#/properties/d/const",
                "#/properties/e/else/type",
            ])
    }

    @Test func booleanFalseSchemaAndItems() throws {
        let schema = try JSONSchema([
            "prefixItems": [true, ["type": "string"]], "items": false, "properties": ["x": false],
        ])
        #expect(
            schema.validate([1, "two", 3, 4]).map(\.description) == [
                "$: array has 4 items, but only the first 2 items are allowed"
            ])
        let object = schema.validate(["x": 1])
        #expect(object.map(\.description) == ["$.x: no value is allowed here (the schema is false)"])
        #expect(object.first?.keyword == "false")
        #expect(object.first?.schemaLocation == "#/properties/x")
    }

    @Test func refSiblingsApplyToo() throws {
        let schema = try JSONSchema([
            "$defs": ["id": ["type": "string"]],
            "$ref": "#/$defs/id",
            "maxLength": 3,
        ])
        #expect(schema.validate("abcd").map(\.keyword) == ["maxLength"])
        #expect(schema.validate(12).map(\.keyword) == ["type"])
    }

    @Test func refsUsePercentAndTildeEscapes() throws {
        let schema = try JSONSchema([
            "$defs": ["a/b": ["type": "integer"], "c~d": ["type": "string"], "e%f": ["type": "null"]],
            "prefixItems": [["$ref": "#/$defs/a~1b"], ["$ref": "#/$defs/c~0d"], ["$ref": "#/$defs/e%25f"]],
        ])
        #expect(schema.isValid([1, "x", nil]))
        #expect(
            schema.validate(["1", 2, 3]).map(\.schemaLocation) == [
                "#/$defs/a~1b/type", "#/$defs/c~0d/type", "#/$defs/e%f/type",
            ])
    }

    @Test func dependentRequiredNamesBothProperties() throws {
        let schema = try JSONSchema(["dependentRequired": ["releaseDate": ["releaseType"]]])
        #expect(
            schema.validate(["releaseDate": "2024-01-01"]).map(\.description) == [
                #"$: missing property "releaseType", required when "releaseDate" is present"#
            ])
    }

    @Test func compiledSchemaIsSharedAcrossTasks() async throws {
        let schema = try schema()
        let event = Self.validRelease
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { schema.isValid(event) && schema.validate(event).isEmpty } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }
}

/// Schemas that must be refused when loaded, not half-applied.
struct SchemaCompilationTests {
    func reason(_ document: JSONValue) -> SchemaCompilationError? {
        do {
            _ = try JSONSchema(document)
            return nil
        } catch {
            return error
        }
    }

    @Test func unsupportedKeywordsAreRejected() {
        let error = reason(["properties": ["a": ["unevaluatedProperties": false]]])
        #expect(error?.reason == .unsupportedKeyword("unevaluatedProperties"))
        #expect(error?.schemaLocation == "#/properties/a/unevaluatedProperties")
        #expect(reason(["$dynamicRef": "#meta"])?.reason == .unsupportedKeyword("$dynamicRef"))
        #expect(reason(["$defs": ["x": ["$id": "x.json"]]])?.reason == .unsupportedKeyword("$id"))
    }

    @Test func rootIDIsAllowedAndUsableInRefs() throws {
        let schema = try JSONSchema([
            "$id": "https://reentrybus.example/topics/release.json",
            "$defs": ["n": ["type": "integer"]],
            "properties": ["a": ["$ref": "https://reentrybus.example/topics/release.json#/$defs/n"]],
        ])
        #expect(!schema.isValid(["a": "x"]))
    }

    @Test func unresolvableReferences() {
        for ref in ["#/$defs/missing", "other.json#/$defs/x", "#anchor", "https://example.com/schema"] {
            let error = reason(["$defs": ["x": true], "items": ["$ref": .string(ref)]])
            #expect(error?.reason == .unresolvableReference(ref))
            #expect(error?.schemaLocation == "#/items/$ref")
        }
    }

    @Test func referenceCyclesAreRejected() {
        let error = reason([
            "$defs": ["a": ["$ref": "#/$defs/b"], "b": ["allOf": [["$ref": "#/$defs/a"]]]],
            "$ref": "#/$defs/a",
        ])
        #expect(error?.reason == .referenceCycle)
        #expect(reason(["$ref": "#"])?.reason == .referenceCycle)
        // Recursion that descends into the instance is fine.
        #expect(reason(["properties": ["child": ["$ref": "#"]], "type": "object"]) == nil)
    }

    @Test func malformedKeywordValues() {
        #expect(
            reason(["minLength": -1])?.reason
                == .invalidKeywordValue(keyword: "minLength", expected: "a non-negative integer"))
        #expect(reason(["minLength": 1.5]) != nil)
        #expect(reason(["type": "text"])?.schemaLocation == "#/type")
        #expect(reason(["required": ["a", "a"]]) != nil)
        #expect(reason(["multipleOf": 0]) != nil)
        #expect(reason(["anyOf": []]) != nil)
        #expect(reason(["properties": ["a": 1]])?.reason == .notASchema)
        #expect(reason(["pattern": "(unclosed"])?.reason == .invalidPattern("(unclosed"))
        #expect(
            reason(["pattern": "(unclosed"])?.description
                == #"invalid schema at #/pattern: "(unclosed" is not a valid regular expression"#)
    }

    @Test func annotationsAndUnknownKeywordsAreIgnored() throws {
        let schema = try JSONSchema([
            "title": "t", "description": "d", "examples": [1], "$comment": "c", "default": 3,
            "x-classification": "PII", "deprecated": true, "readOnly": true, "format": "email",
        ])
        #expect(schema.isValid("not an email"))
    }
}
