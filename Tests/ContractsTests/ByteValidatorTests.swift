@testable import Contracts
import Foundation
import Testing

/// The byte validator (`JSONSchema.byteVerdict`) answers valid events without a tree; the
/// tree (`JSONValue(parsing:)` + `JSONSchema.validate`) stays the authority. These tests hold
/// it to that: on every contract's examples and on systematic corruptions of them it never
/// calls valid what the tree refuses, never calls invalid what the tree accepts, and answers
/// every valid contract example itself (else the fast path would silently fall away).
struct ByteValidatorTests {
    static let catalog = Result { try TopicCatalog.load(from: repositoryTopics) }

    /// Every valid example of every contract, with its schema.
    static func examples() throws -> [(name: String, schema: JSONSchema, bytes: [UInt8])] {
        let catalog = try catalog.get()
        var examples: [(String, JSONSchema, [UInt8])] = []
        for topic in catalog.topics {
            for event in topic.events {
                guard let schema = catalog.schema(forEventType: event.type, version: event.version) else { continue }
                for (i, example) in event.validExamples.enumerated() {
                    examples.append(("\(event.qualifiedName)#\(i)", schema, Array(example.description.utf8)))
                }
            }
        }
        return examples
    }

    /// What the tree says of `bytes`: `nil` when they do not parse.
    static func treeVerdict(_ schema: JSONSchema, _ bytes: [UInt8]) -> Bool? {
        guard let document = try? JSONValue(parsing: bytes) else { return nil }
        return schema.validate(document).isEmpty
    }

    static func byteVerdict(_ schema: JSONSchema, _ bytes: [UInt8]) -> ByteValidator.Verdict {
        bytes.withUnsafeBufferPointer { schema.byteVerdict($0, limits: .events) }
    }

    @Test func everyValidContractExampleIsDecidedValidOnItsBytes() throws {
        let examples = try Self.examples()
        #expect(examples.count > 50)
        for example in examples {
            #expect(Self.byteVerdict(example.schema, example.bytes) == .valid, "\(example.name)")
        }
    }

    @Test func noInvalidContractExampleIsCalledValid() throws {
        let catalog = try Self.catalog.get()
        var checked = 0
        for topic in catalog.topics {
            for event in topic.events {
                guard let schema = catalog.schema(forEventType: event.type, version: event.version) else { continue }
                for example in event.invalidExamples {
                    let bytes = Array(example.event.description.utf8)
                    #expect(Self.byteVerdict(schema, bytes) != .valid, "\(event.qualifiedName): \(example.description)")
                    #expect(!schema.isValid(bytes: bytes))
                    checked += 1
                }
            }
        }
        #expect(checked > 50)
    }

    /// Each valid example corrupted at many places in several ways (a byte deleted, doubled,
    /// or replaced by one that changes the grammar or a value): the byte validator agrees with
    /// the tree or leaves the case to it.
    @Test func corruptedExamplesAreNeverAnsweredWrongly() throws {
        let replacements: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "]"),
                                     UInt8(ascii: "1"), UInt8(ascii: "x"), UInt8(ascii: ","), 0xC3, 0x0A, 0x01]
        var cases = 0
        var decided = 0
        for (n, example) in try Self.examples().enumerated() {
            var position = n % 11
            while position < example.bytes.count {
                var variants: [[UInt8]] = []
                var deleted = example.bytes
                deleted.remove(at: position)
                variants.append(deleted)
                var doubled = example.bytes
                doubled.insert(example.bytes[position], at: position)
                variants.append(doubled)
                for byte in replacements where byte != example.bytes[position] {
                    var replaced = example.bytes
                    replaced[position] = byte
                    variants.append(replaced)
                }
                for variant in variants {
                    let tree = Self.treeVerdict(example.schema, variant)
                    let fast = Self.byteVerdict(example.schema, variant)
                    cases += 1
                    switch fast {
                    case .valid:
                        decided += 1
                        #expect(tree == true, "\(example.name) at \(position): bytes say valid, the tree says \(String(describing: tree))")
                    case .invalid:
                        decided += 1
                        // Invalid may be answered before a later grammar fault: either way, not valid.
                        #expect(tree != true, "\(example.name) at \(position): bytes say invalid, the tree says valid")
                    case .unknown:
                        break
                    }
                    #expect(example.schema.isValid(bytes: variant) == (tree == true))
                }
                position += 11
            }
        }
        print("byte validator: \(decided) of \(cases) corrupted events decided on bytes")
        #expect(cases > 10_000)
    }

    /// The grammar's corners, each where a byte check could differ from the parser.
    @Test(arguments: [
        (#"{"a": 1, "a": 2}"#, "a repeated member name"),
        (#"{"a": 1} x"#, "bytes after the document"),
        (#"{"a": 01}"#, "a leading zero"),
        (#"{"a": "\ud800"}"#, "an unpaired surrogate"),
        ("{\"a\": \"\u{01}\"}", "a control character in a string"),
        (#"{"a": 1e400}"#, "a number out of range"),
    ])
    func malformedDocumentsAreNotValid(_ text: String, _ what: String) throws {
        let schema = try JSONSchema(JSONValue(parsing: #"{"type": "object"}"#))
        let bytes = Array(text.utf8)
        #expect(Self.byteVerdict(schema, bytes) != .valid, "\(what)")
        #expect(!schema.isValid(bytes: bytes), "\(what)")
    }

    @Test func invalidUTF8InAStringIsNotValid() throws {
        let schema = try JSONSchema(JSONValue(parsing: #"{"type": "object"}"#))
        for bad: [UInt8] in [[0xC3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF]] {
            let bytes = Array(#"{"a": ""#.utf8) + bad + Array(#""}"#.utf8)
            #expect(Self.byteVerdict(schema, bytes) != .valid, "\(bad)")
            #expect(!schema.isValid(bytes: bytes))
        }
    }

    @Test func escapedAndNonASCIIStringsAreCheckedByValue() throws {
        let schema = try JSONSchema(JSONValue(parsing: #"""
            {"type": "object", "properties": {
                "code": {"enum": ["a\"b", "é"]},
                "name": {"type": "string", "maxLength": 3, "pattern": "^[A-Z]"},
                "day": {"type": "string", "format": "date"}}}
            """#))
        let cases: [(String, Bool)] = [
            (#"{"code": "a\"b"}"#, true),
            (#"{"code": "\u00e9"}"#, true),
            (#"{"code": "é"}"#, true),
            (#"{"code": "e\u0301"}"#, false),  // canonically equivalent, other code points
            (#"{"name": "Édo"}"#, false),  // non-ASCII first letter
            (#"{"name": "Aé"}"#, true),  // two code points, three bytes
            (#"{"name": "Aééé"}"#, false),
            (#"{"name": "A\n"}"#, true),
            (#"{"day": "2024-02-30"}"#, false),
            (#"{"day": "2024\u002d02-29"}"#, true),
        ]
        for (text, valid) in cases {
            let bytes = Array(text.utf8)
            #expect(schema.isValid(bytes: bytes) == valid, "\(text)")
            #expect(Self.byteVerdict(schema, bytes) != (valid ? .invalid : .valid), "\(text)")
            #expect(Self.treeVerdict(schema, bytes) == valid, "\(text)")
        }
    }

    @Test func numbersAreComparedByValue() throws {
        let schema = try JSONSchema(JSONValue(parsing: #"""
            {"type": "object", "properties": {
                "n": {"type": "integer", "minimum": 1, "maximum": 10},
                "v": {"const": 2}}}
            """#))
        let cases: [(String, Bool)] = [
            (#"{"n": 1.0}"#, true), (#"{"n": 1e1}"#, true), (#"{"n": 1.5}"#, false), (#"{"n": 0}"#, false),
            (#"{"n": 11}"#, false), (#"{"v": 2.0}"#, true), (#"{"v": 2.5}"#, false), (#"{"v": "2"}"#, false),
        ]
        for (text, valid) in cases {
            let bytes = Array(text.utf8)
            #expect(Self.byteVerdict(schema, bytes) == (valid ? .valid : .invalid), "\(text)")
        }
    }

    @Test func nestingBeyondTheLimitIsNotValid() throws {
        let schema = try JSONSchema(JSONValue(parsing: "{}"))
        let deep = Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8)
        #expect(Self.byteVerdict(schema, deep) != .valid)
        #expect(!schema.isValid(bytes: deep))
        let allowed = Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8)
        #expect(Self.byteVerdict(schema, allowed) == .valid)
    }

    /// What `EventValidator` returns for a valid event read on its bytes equals what the tree
    /// gives: type, version, id, key and document.
    @Test func eventsValidatedOnTheirBytesMatchTheTree() throws {
        let catalog = try Self.catalog.get()
        let validator = EventValidator(catalog: catalog)
        var onBytes = 0
        for topic in catalog.topics where topic.valueFormat == .event {
            for event in topic.events {
                for example in event.validExamples {
                    let fast = try validator.validate(bytes: Array(example.description.utf8), topic: topic.name)
                    let tree = try validator.validate(example, topic: topic.name)
                    #expect(fast.eventType == tree.eventType && fast.schemaVersion == tree.schemaVersion, "\(event.qualifiedName)")
                    #expect(fast.eventId == tree.eventId && fast.key == tree.key, "\(event.qualifiedName)")
                    #expect(fast.document == tree.document, "\(event.qualifiedName)")
                    // Subject-keyed versions (issue 19) take the tree; every other the bytes.
                    #expect(fast.wasValidatedOnBytes == !event.stateIdOptional, "\(event.qualifiedName)")
                    if fast.wasValidatedOnBytes { onBytes += 1 }
                }
            }
        }
        #expect(onBytes > 30)
    }

    /// An invalid event still gets the tree's precise reasons, and a wrong topic its own error.
    @Test func invalidEventsKeepTheirReasons() throws {
        let catalog = try Self.catalog.get()
        let validator = EventValidator(catalog: catalog)
        let release = try #require(catalog.event(type: "custody.release.scheduled", version: 1)?.invalidExamples.first)
        #expect {
            try validator.validate(bytes: Array(release.event.description.utf8), topic: "custody.releases")
        } throws: { error in
            guard let error = error as? EventValidationError, case .schemaViolations(let violations) = error.reason else { return false }
            return violations.contains { $0.instancePath.description == release.expectedPath }
        }
        let valid = try #require(catalog.event(type: "custody.release.scheduled", version: 1)?.validExamples.first)
        #expect {
            try validator.validate(bytes: Array(valid.description.utf8), topic: "police.arrests")
        } throws: { error in
            guard let error = error as? EventValidationError, case .wrongTopic = error.reason else { return false }
            return true
        }
    }

    /// Subschemas asking only for member names (`required` under `anyOf`/`allOf`, as in the
    /// contracts' subject) are answered from the names of the object just read: the same
    /// verdicts as reading it again, including for a value that is not an object.
    @Test func namesOnlySubschemasAnswerAsTheTreeDoes() throws {
        let schema = try JSONSchema(JSONValue(parsing: #"""
            {"type": "object", "properties": {"subject": {"$ref": "#/$defs/keyed"}, "other": {"$ref": "#/$defs/keyed"}},
             "$defs": {
                "keyed": {"allOf": [{"$ref": "#/$defs/subject"}, {"required": ["a"]}]},
                "subject": {"properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                            "anyOf": [{"required": ["b"]}, {"required": ["c"]}, {"type": "object", "required": ["d"]}]}}}
            """#))
        let cases: [(String, Bool)] = [
            (#"{"subject": {"a": "1", "b": "2"}}"#, true),
            (#"{"subject": {"a": "1", "c": 3}}"#, true),
            (#"{"subject": {"a": "1", "d": null}}"#, true),
            (#"{"subject": {"a": "1"}}"#, false),
            (#"{"subject": {"b": "2"}}"#, false),
            (#"{"subject": {"a": 1, "b": "2"}}"#, false),
            (#"{"subject": {"a": "1", "b": "2"}, "other": {"a": "1"}}"#, false),
            (#"{"subject": {"a": "1", "b": "2"}, "other": {"c": 1, "a": "x"}}"#, true),
            (#"{"subject": "not an object"}"#, true),  // required and properties ask nothing of a string
        ]
        for (text, valid) in cases {
            let bytes = Array(text.utf8)
            #expect(Self.treeVerdict(schema, bytes) == valid, "\(text)")
            #expect(Self.byteVerdict(schema, bytes) == (valid ? .valid : .invalid), "\(text)")
        }
    }

    /// The validator notes where the captured paths' values lie as it reads (the envelope and
    /// the key, so no second scan reads the event): only at the path itself — not a member of
    /// the same name deeper down, not through an array — in any order of members, and the same
    /// when subschemas read a value again.
    @Test func capturedPathsPointAtTheirValues() throws {
        let schema = try JSONSchema(JSONValue(parsing: #"""
            {"type": "object", "properties": {"subject": {"anyOf": [{"required": ["stateId"]}, {"required": ["fbi"]}],
                                                          "properties": {"stateId": {"type": "string"}}}}}
            """#))
        let paths = CapturedPaths([[Array("eventId".utf8)], [Array("subject".utf8), Array("stateId".utf8)]])
        let cases: [(String, [String?])] = [
            (#"{"eventId": "e1", "subject": {"stateId": "S1"}}"#, ["e1", "S1"]),
            (#"{"subject": {"fbi": "F", "stateId": "S2"}, "eventId": "e2"}"#, ["e2", "S2"]),
            (#"{"payload": {"eventId": "inner", "subject": {"stateId": "inner"}}, "subject": {"stateId": "S3"}, "eventId": "e3"}"#, ["e3", "S3"]),
            (#"{"payload": {"subject": {"stateId": "inner"}}, "subject": {"fbi": "F"}}"#, [nil, nil]),
            (#"{"eventId": "e5", "list": [{"subject": {"stateId": "inner"}}], "subject": {"stateId": "S5"}}"#, ["e5", "S5"]),
            (#" { "eventId" : "e6" , "subject" : { "stateId" : "S6" } } "#, ["e6", "S6"]),
        ]
        for (text, expected) in cases {
            let bytes = Array(text.utf8)
            let (verdict, offsets) = bytes.withUnsafeBufferPointer { schema.byteVerdict($0, limits: .events, capturing: paths) }
            #expect(verdict == .valid, "\(text)")
            let found = bytes.withUnsafeBufferPointer { buffer in offsets.map { $0.flatMap { MemberScanner(bytes: buffer).string(at: $0) } } }
            #expect(found == expected, "\(text)")
        }
        // A path whose middle is not an object has no value.
        let (middleVerdict, middleOffsets) = Array(#"{"subject": "x", "eventId": "e8"}"#.utf8).withUnsafeBufferPointer {
            schema.byteVerdict($0, limits: .events, capturing: paths)
        }
        #expect(middleVerdict == .valid && middleOffsets.count == 2 && middleOffsets[0] != nil && middleOffsets[1] == nil)
        // Reached through a root read again ($ref, allOf), patternProperties and additionalProperties.
        let indirect = try JSONSchema(JSONValue(parsing: #"""
            {"allOf": [{"$ref": "#/$defs/envelope"}], "$defs": {"envelope": {"type": "object",
             "patternProperties": {"^sub": {"type": "object"}}, "additionalProperties": {"type": ["string", "object"]}}}}
            """#))
        let text = #"{"other": {"eventId": "inner"}, "subject": {"stateId": "S9"}, "eventId": "e9"}"#
        let bytes = Array(text.utf8)
        let (indirectVerdict, indirectOffsets) = bytes.withUnsafeBufferPointer { indirect.byteVerdict($0, limits: .events, capturing: paths) }
        #expect(indirectVerdict == .valid)
        let found = bytes.withUnsafeBufferPointer { buffer in indirectOffsets.map { $0.flatMap { MemberScanner(bytes: buffer).string(at: $0) } } }
        #expect(found == ["e9", "S9"])
        let list = Array(#"{"subject": [{"stateId": "in an array"}]}"#.utf8)
        let (_, offsets) = list.withUnsafeBufferPointer { try! JSONSchema(JSONValue(parsing: #"{"type": "object"}"#)).byteVerdict($0, limits: .events, capturing: paths) }
        #expect(offsets == [nil, nil])
    }

    /// A type with two versions keyed by the state ID is read on bytes in either: the event's
    /// stated version picks the schema. (No type in today's contracts has two such versions;
    /// a compatible new version would add the second. The case's start has one, and a version 2
    /// that may name the FBI number instead: a copy of its version 1 is added as version 3.)
    @Test func eitherOfTwoStateKeyedVersionsIsValidatedOnBytes() throws {
        let topics = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: topics) }
        let file = topics.appendingPathComponent("supervision.cases.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let start = try #require(text.range(of: "  - type: supervision.case.started\n    version: 1\n"))
        let end = try #require(text.range(of: "\n  - type: ", range: start.upperBound..<text.endIndex))
        let third = String(text[start.lowerBound..<end.lowerBound]).replacingOccurrences(of: "    version: 1\n", with: "    version: 3\n")
        try Data((text + "\n" + third + "\n").utf8).write(to: file)
        let catalog = try TopicCatalog.load(from: topics)
        let validator = EventValidator(catalog: catalog)
        for version in [1, 3] {
            let example = try #require(catalog.event(type: "supervision.case.started", version: version)?.validExamples.first)
            let event = try validator.validate(bytes: Array(example.description.utf8), topic: "supervision.cases")
            #expect(event.schemaVersion == version && event.wasValidatedOnBytes)
            #expect(event.key == (try validator.validate(example, topic: "supervision.cases")).key)
        }
        let unknown = try #require(catalog.event(type: "supervision.case.started", version: 1)?.validExamples.first)
        let text3 = unknown.description.replacingOccurrences(of: #""schemaVersion":1"#, with: #""schemaVersion":4"#)
        #expect(text3 != unknown.description)
        #expect(throws: EventValidationError.self) { try validator.validate(bytes: Array(text3.utf8), topic: "supervision.cases") }
    }
}
