@testable import Contracts
import Foundation
import Testing

/// Runs the official JSON Schema Test Suite (draft 2020-12) for every keyword `JSONSchema`
/// claims to support. The suite lives beside the project (`../shared/testdata/…`), not in it.
struct JSONSchemaTestSuiteTests {
    /// One suite file and the groups in it that are deliberately not run.
    struct SuiteFile: Sendable, CustomTestStringConvertible {
        /// Path below `draft2020-12/`.
        var name: String
        /// `format.json` checks that format is only an annotation by default; the files under
        /// `optional/format/` check it as an assertion.
        var assertsFormat = false
        /// Group description → why it is skipped. Every skipped group must use something we
        /// reject on purpose, and the test checks that compiling its schema does fail.
        var skipped: [String: String] = [:]

        var testDescription: String { name }
    }

    static let suiteDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ContractsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()  // beside the project
        .appendingPathComponent("shared/testdata/json-schema-test-suite/draft2020-12")

    static let suiteAvailable = FileManager.default.fileExists(atPath: suiteDirectory.path)

    static let nestedID = "an $id inside a subschema (embedded resource with its own base URI) is unsupported"

    /// Exactly the keywords `JSONSchema` claims; the skips are the only exceptions.
    static let files: [SuiteFile] = [
        SuiteFile(name: "additionalProperties.json"),
        SuiteFile(name: "allOf.json"),
        SuiteFile(name: "anyOf.json"),
        SuiteFile(name: "boolean_schema.json"),
        SuiteFile(name: "const.json"),
        SuiteFile(name: "contains.json"),
        SuiteFile(name: "content.json"),  // content* keywords are annotations: ignored
        SuiteFile(name: "default.json"),  // an annotation: ignored
        SuiteFile(
            name: "defs.json",
            skipped: [
                "validate definition against metaschema": "remote $ref to the 2020-12 meta-schema"
            ]),
        SuiteFile(name: "dependentRequired.json"),
        SuiteFile(name: "dependentSchemas.json"),
        SuiteFile(name: "enum.json"),
        SuiteFile(name: "exclusiveMaximum.json"),
        SuiteFile(name: "exclusiveMinimum.json"),
        SuiteFile(name: "format.json"),
        SuiteFile(name: "if-then-else.json"),
        SuiteFile(name: "infinite-loop-detection.json"),
        SuiteFile(name: "items.json"),
        SuiteFile(name: "maxContains.json"),
        SuiteFile(name: "maxItems.json"),
        SuiteFile(name: "maxLength.json"),
        SuiteFile(name: "maxProperties.json"),
        SuiteFile(name: "maximum.json"),
        SuiteFile(name: "minContains.json"),
        SuiteFile(name: "minItems.json"),
        SuiteFile(name: "minLength.json"),
        SuiteFile(name: "minProperties.json"),
        SuiteFile(name: "minimum.json"),
        SuiteFile(name: "multipleOf.json"),
        SuiteFile(
            name: "not.json",
            skipped: [
                "collect annotations inside a 'not', even if collection is disabled": "unevaluatedProperties"
            ]),
        SuiteFile(name: "oneOf.json"),
        SuiteFile(name: "pattern.json"),
        SuiteFile(name: "patternProperties.json"),
        SuiteFile(name: "prefixItems.json"),
        SuiteFile(name: "properties.json"),
        SuiteFile(name: "propertyNames.json"),
        SuiteFile(
            name: "ref.json",
            skipped: [
                "remote ref, containing refs itself": "remote $ref to the 2020-12 meta-schema",
                "ref creates new scope when adjacent to keywords": "unevaluatedProperties",
                "Recursive references between schemas": nestedID,
                "refs with relative uris and defs": nestedID,
                "relative refs with absolute uris and defs": nestedID,
                "$id must be resolved against nearest parent, not just immediate parent": nestedID,
                "order of evaluation: $id and $ref": nestedID,
                "order of evaluation: $id and $anchor and $ref": nestedID + "; and $anchor",
                "order of evaluation: $id and $ref on nested schema": nestedID,
                "URN base URI with URN and anchor ref": "$ref to an $anchor (plain-name fragment)",
                "URN ref with nested pointer ref": nestedID,
                "ref to if": nestedID,
                "ref to then": nestedID,
                "ref to else": nestedID,
                "ref with absolute-path-reference": nestedID,
            ]),
        SuiteFile(name: "required.json"),
        SuiteFile(name: "type.json"),
        SuiteFile(name: "uniqueItems.json"),
        SuiteFile(name: "optional/format/date.json", assertsFormat: true),
        SuiteFile(name: "optional/format/date-time.json", assertsFormat: true),
        SuiteFile(name: "optional/format/uuid.json", assertsFormat: true),
    ]

    @Test(
        .enabled(
            if: suiteAvailable,
            "JSON Schema Test Suite not found at ../shared/testdata/json-schema-test-suite/draft2020-12"),
        arguments: files)
    func suiteFile(_ file: SuiteFile) throws {
        let data = try Data(contentsOf: Self.suiteDirectory.appendingPathComponent(file.name))
        let groups = try JSONValue(parsing: data, limits: JSONDecodingLimits(maxDocumentBytes: 1 << 20))
        guard case .array(let groupList) = groups else {
            Issue.record("\(file.name) is not an array of test groups")
            return
        }
        var passed = 0
        var decidedOnBytes = 0
        var cases = 0
        var skippedGroups: [String] = []
        for group in groupList {
            guard case .string(let description) = group["description"], let schemaDocument = group["schema"],
                case .array(let tests) = group["tests"]
            else {
                Issue.record("\(file.name): malformed test group")
                continue
            }
            if file.skipped[description] != nil {
                skippedGroups.append(description)
                // A skip is only honest if the validator refuses the schema rather than
                // silently validating something else.
                #expect(throws: SchemaCompilationError.self, "\(file.name) / \(description) compiled") {
                    try JSONSchema(schemaDocument, options: .init(assertsFormat: file.assertsFormat))
                }
                continue
            }
            let schema: JSONSchema
            do {
                schema = try JSONSchema(schemaDocument, options: .init(assertsFormat: file.assertsFormat))
            } catch {
                Issue.record("\(file.name) / \(description): schema did not compile: \(error)")
                continue
            }
            for test in tests {
                guard case .string(let testDescription) = test["description"], let instance = test["data"],
                    case .bool(let expected) = test["valid"]
                else {
                    Issue.record("\(file.name) / \(description): malformed test")
                    continue
                }
                let violations = schema.validate(instance)
                let verdict = schema.isValid(instance)
                let label = "\(file.name) / \(description) / \(testDescription)"
                #expect(violations.isEmpty == expected, "\(label): \(violations)")
                #expect(verdict == expected, "\(label): isValid disagrees")
                if violations.isEmpty == expected && verdict == expected { passed += 1 }
                // The same case as bytes: the byte validator may leave a case to the tree, but
                // never answer it wrongly.
                let bytes = Array(instance.description.utf8)
                let fast = bytes.withUnsafeBufferPointer { schema.byteVerdict($0, limits: .events) }
                #expect(fast != (expected ? .invalid : .valid), "\(label): the byte validator answered \(fast)")
                #expect(schema.isValid(bytes: bytes) == expected, "\(label): isValid(bytes:) disagrees")
                cases += 1
                if fast != .unknown { decidedOnBytes += 1 }
            }
        }
        let staleSkips = Set(file.skipped.keys).subtracting(skippedGroups)
        #expect(staleSkips.isEmpty, "\(file.name): skipped groups not in the file: \(staleSkips.sorted())")
        print("JSON Schema Test Suite \(file.name): \(passed) cases passed, \(skippedGroups.count) groups skipped, \(decidedOnBytes) of \(cases) decided on bytes")
    }
}
