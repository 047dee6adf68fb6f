import Foundation

extension ContractLoader {
    /// Who may produce and consume topics: the glossary's agency kinds and, for the bus's own
    /// topics, its services (`busService`), kept apart so no event can claim a service as its
    /// source agency.
    func participantCodes(_ glossary: Glossary) -> [String] {
        (glossary.enumerations["agencyKind"]?.codes ?? []) + (glossary.enumerations["busService"]?.codes ?? [])
    }

    /// Producers and consumers must be agency kinds or bus services from the glossary.
    mutating func check(topic: TopicContract, participants agencyKinds: [String]) {
        for (list, names) in [("producers", topic.producers), ("consumers", topic.consumers)] {
            if names.isEmpty {
                record(ContractProblem(file: topic.file, path: "$.\(list)", message: "name at least one agency kind"))
            }
            for (index, name) in names.enumerated() where !agencyKinds.contains(name) {
                record(ContractProblem(file: topic.file, path: "$.\(list)[\(index)]",
                                       message: "\"\(name)\" is not an agencyKind or busService in the glossary"))
            }
        }
        // An event's own readers narrow the topic's: none outside them, at least one.
        for event in topic.events {
            guard let readers = event.consumers else { continue }
            let at = "\(event.path).consumers"
            if readers.isEmpty { record(ContractProblem(file: topic.file, path: at, message: "name at least one of the topic's consumers")) }
            for (index, name) in readers.enumerated() where !topic.consumers.contains(name) {
                record(ContractProblem(file: topic.file, path: "\(at)[\(index)]", message: "\"\(name)\" is not among the topic's consumers"))
            }
        }
    }

    /// An example as written, completed with the shared example envelope: members the example
    /// sets win, `null` removes one, and the event's type and version are filled in. Without
    /// its own `eventId`, an example gets one derived from its name, so ids differ.
    func completeExample(_ example: JSONValue, event: EventContract, index: Int, envelope: Envelope) -> JSONValue {
        guard case .object(let members) = example else { return example }
        var complete = envelope.example
        complete["eventId"] = .string(Self.exampleID("\(event.qualifiedName)#\(index)"))
        for (name, value) in members {
            if case .null = value { complete.removeValue(forKey: name) } else { complete[name] = value }
        }
        complete["eventType"] = .string(event.type)
        complete["schemaVersion"] = .number(JSONNumber(event.version))
        return .object(complete)
    }

    /// A stable UUID (version 8, RFC 9562) from a name: FNV-1a over the name with two seeds.
    static func exampleID(_ name: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in name.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
            return hash
        }
        var bytes = withUnsafeBytes(of: fnv(0xcbf2_9ce4_8422_2325).bigEndian, Array.init)
            + withUnsafeBytes(of: fnv(0x8422_2325_cbf2_9ce4).bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// Valid examples must pass; each invalid one must fail with the declared keyword at the
    /// declared path (failing for some other reason would hide a gap in the schema).
    mutating func checkExamples(_ event: inout EventContract, topic: TopicContract, schema: JSONSchema) {
        let examplesPath = event.path.appending(key: "examples")
        for (index, example) in event.validExamples.enumerated() {
            let violations = schema.validate(example)
            if !violations.isEmpty {
                record(ContractProblem(file: topic.file, path: examplesPath.appending(key: "valid").appending(index: index).description,
                                       message: "valid example is rejected: " + Self.describe(violations)))
            }
        }
        for index in event.invalidExamples.indices {
            let spec = event.invalidExamples[index]
            let at = spec.path.description
            var built = event.validExamples[spec.from]
            var applied = true
            for (field, value) in spec.set where !built.setting(field.split(separator: ".").map(String.init)[...], to: value) {
                record(ContractProblem(file: topic.file, path: at, message: "cannot set \(field): valid example \(spec.from) has no such place"))
                applied = false
            }
            for field in spec.remove where !built.setting(field.split(separator: ".").map(String.init)[...], to: nil) {
                record(ContractProblem(file: topic.file, path: at, message: "cannot remove \(field): valid example \(spec.from) has no such field"))
                applied = false
            }
            guard applied else { continue }
            event.invalidExamples[index].event = built
            let violations = schema.validate(built)
            let expected = "\(spec.expectedKeyword) at \(spec.expectedPath)"
            if violations.isEmpty {
                record(ContractProblem(file: topic.file, path: at, message: "invalid example (\(spec.description)) is accepted; expected it to fail \(expected)"))
            } else if !violations.contains(where: { $0.keyword == spec.expectedKeyword && $0.instancePath.description == spec.expectedPath }) {
                record(ContractProblem(file: topic.file, path: at,
                                       message: "invalid example (\(spec.description)) fails, but not \(expected): " + Self.describe(violations)))
            }
        }
    }

    static func describe(_ violations: [SchemaViolation]) -> String {
        violations.map { "\($0.instancePath) [\($0.keyword)] \($0.message)" }.joined(separator: "; ")
    }

    /// Every payload field is covered by a classification on itself or on a containing field,
    /// and every classification names a field the schema defines.
    mutating func checkClassifications(_ event: EventContract, topic: TopicContract, envelope: Envelope) {
        var defined: Set<String> = []
        // A message topic's fields are classified from the root; an event's under `payload`.
        let isMessage = topic.valueFormat == .message
        Self.collectFields(of: event.payloadSchema, prefix: isMessage ? nil : "payload", into: &defined)
        let fieldsPath = event.path.appending(key: "fields").description
        for field in defined.sorted() {
            var components = field.split(separator: ".").map(String.init)
            var covered = false
            while components.count > (isMessage ? 0 : 1) {
                if event.fields[components.joined(separator: ".")] != nil { covered = true; break }
                components.removeLast()
            }
            if !covered {
                record(ContractProblem(file: topic.file, path: fieldsPath, message: "field \(field) has no classification"))
            }
        }
        for field in event.fields.keys.sorted() where !defined.contains(field) {
            record(ContractProblem(file: topic.file, path: fieldsPath,
                                   message: "\(field) is classified but the payload schema defines no such field (envelope fields are classified in common.yaml)"))
        }
    }

    /// Dotted paths of the properties a schema spells out inline (through `items` and the
    /// applicators, not through `$ref`: a referenced definition is classified as a whole).
    static func collectFields(of schema: JSONValue, prefix: String?, into fields: inout Set<String>) {
        guard case .object(let keywords) = schema else { return }
        if case .object(let properties)? = keywords["properties"] {
            for (name, subschema) in properties {
                let path = prefix.map { $0 + "." + name } ?? name
                fields.insert(path)
                collectFields(of: subschema, prefix: path, into: &fields)
            }
        }
        for keyword in ["items", "if", "then", "else", "not"] {
            if let subschema = keywords[keyword] { collectFields(of: subschema, prefix: prefix, into: &fields) }
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            if case .array(let subschemas)? = keywords[keyword] {
                for subschema in subschemas { collectFields(of: subschema, prefix: prefix, into: &fields) }
            }
        }
    }

    /// The key field must be present in every event of the topic: either the subject's state
    /// ID (then required through `keyedSubject`) or a required string member of the payload.
    mutating func checkKey(topic: TopicContract, event: EventContract) {
        let components = topic.key.components
        if event.stateIdOptional, !(topic.valueFormat == .event && components == ["subject", "stateId"]) {
            record(ContractProblem(file: topic.file, path: event.path.appending(key: "stateIdOptional").description,
                                   message: "only an event of a topic keyed by subject.stateId may make the state ID optional"))
        }
        if topic.valueFormat == .message {
            // Key and event id are top-level members the message schema requires.
            let required: [JSONValue] = if case .array(let names)? = event.payloadSchema["required"] { names } else { [] }
            for (what, field) in [("key", topic.key.field), ("eventIdField", topic.eventIdField ?? "")]
            where field.contains(".") || !required.contains(.string(field)) {
                record(ContractProblem(file: topic.file, path: event.path.appending(key: "message").description,
                                       message: "the topic's \(what) is \(field), which must be a top-level member \(event.qualifiedName) requires"))
            }
            return
        }
        if components == ["subject", "stateId"] { return }
        guard components.count == 2, components[0] == "payload" else {
            record(ContractProblem(file: topic.file, path: "$.key.field", message: "the key must be subject.stateId or payload.<required field>"))
            return
        }
        guard case .array(let required)? = event.payloadSchema["required"], required.contains(.string(components[1])) else {
            record(ContractProblem(file: topic.file, path: event.path.appending(key: "payload").description,
                                   message: "the topic is keyed by \(topic.key.field), but \(event.qualifiedName) does not require it"))
            return
        }
    }
}

extension ContractLoader {
    /// The `headers:` list of a topic.
    func headers(_ value: JSONValue, _ path: JSONPath, _ reader: ContractReader) throws(ContractProblem) -> [HeaderContract] {
        var result: [HeaderContract] = []
        for (index, element) in try reader.array(value, path).enumerated() {
            let at = path.appending(index: index)
            let members = try reader.object(element, at)
            try reader.onlyKeys(members, ["name", "description", "required", "requiredWhen", "pattern", "values", "classification"], at)
            let name = try reader.string(members["name"], at.appending(key: "name"))
            if result.contains(where: { $0.name == name }) { throw reader.problem(at.appending(key: "name"), "header \(name) is listed twice") }
            let required: Bool
            switch members["required"] {
            case nil: required = false
            case .bool(let flag)?: required = flag
            case let other?: throw reader.problem(at.appending(key: "required"), "must be true or false, not \(other.kind)")
            }
            let pattern = try reader.optionalString(members["pattern"], at.appending(key: "pattern"))
            var matcher: JSONSchema.Pattern?
            if let pattern {
                guard let compiled = JSONSchema.Pattern(pattern) else { throw reader.problem(at.appending(key: "pattern"), "not a valid regular expression") }
                matcher = compiled
            }
            let values = try members["values"].map { value throws(ContractProblem) in try reader.strings(value, at.appending(key: "values")) }
            var requiredWhen: (header: String, value: String)?
            if let condition = members["requiredWhen"] {
                let pairs = try reader.object(condition, at.appending(key: "requiredWhen"))
                guard pairs.count == 1, let (header, value) = pairs.first, case .string(let text) = value else {
                    throw reader.problem(at.appending(key: "requiredWhen"), "name one other header and the value that makes this one required")
                }
                requiredWhen = (header, text)
            }
            let classes = try classifications(.object([name: members["classification"] ?? .array([])]), at.appending(key: "classification"), reader)
            result.append(HeaderContract(
                name: name, description: try reader.string(members["description"], at.appending(key: "description")),
                required: required, pattern: pattern, values: values, requiredWhen: requiredWhen,
                classifications: classes[name] ?? [], matcher: matcher))
        }
        return result
    }

    /// The `examples:` of an opaque topic: header sets that must pass, and ones that must fail
    /// naming a header.
    func headerExamples(_ value: JSONValue?, _ path: JSONPath, _ reader: ContractReader) throws(ContractProblem) -> [HeaderExample] {
        let examples = try reader.object(value, path)
        try reader.onlyKeys(examples, ["valid", "invalid"], path)
        var result: [HeaderExample] = []
        for kind in ["valid", "invalid"] {
            let listPath = path.appending(key: kind)
            let list = try reader.array(examples[kind] ?? .array([]), listPath)
            if kind == "valid" && list.isEmpty { throw reader.problem(listPath, "at least one valid example is required") }
            for (index, element) in list.enumerated() {
                let at = listPath.appending(index: index)
                let members = try reader.object(element, at)
                try reader.onlyKeys(members, kind == "valid" ? ["description", "headers"] : ["description", "headers", "expect"], at)
                var headers: [String: String] = [:]
                for (name, text) in try reader.object(members["headers"], at.appending(key: "headers")) {
                    guard case .string(let string) = text else { throw reader.problem(at.appending(key: "headers").appending(key: name), "header values are strings") }
                    headers[name] = string
                }
                var expected: String?
                if kind == "invalid" {
                    let expect = try reader.object(members["expect"], at.appending(key: "expect"))
                    try reader.onlyKeys(expect, ["header"], at.appending(key: "expect"))
                    expected = try reader.string(expect["header"], at.appending(key: "expect").appending(key: "header"))
                }
                result.append(HeaderExample(
                    description: try reader.string(members["description"], at.appending(key: "description")),
                    headers: headers, expectedHeader: expected, path: at))
            }
        }
        return result
    }

    /// Valid header examples pass every header check; each invalid one fails at the header it
    /// names. An opaque topic needs a classification for its value and at least one required header.
    mutating func checkHeaderExamples(_ topic: TopicContract) {
        guard topic.valueFormat == .opaque else { return }
        if topic.valueClassifications.isEmpty {
            record(ContractProblem(file: topic.file, path: "$.classification", message: "classify the value as a whole (it holds other topics' data)"))
        }
        if !topic.headers.contains(where: \.required) {
            record(ContractProblem(file: topic.file, path: "$.headers", message: "an opaque topic needs at least one required header: it is all that can be checked"))
        }
        for example in topic.headerExamples {
            let problems = topic.headers.compactMap { header in header.problem(in: example.headers).map { (header.name, $0) } }
            if let expected = example.expectedHeader {
                if !problems.contains(where: { $0.0 == expected }) {
                    record(ContractProblem(file: topic.file, path: example.path.description,
                                           message: "invalid example (\(example.description)) does not fail at header \(expected)"))
                }
            } else if let (name, problem) = problems.first {
                record(ContractProblem(file: topic.file, path: example.path.description,
                                       message: "valid example is rejected: header \(name): \(problem)"))
            }
        }
    }
}
