import Foundation

/// Reads a contracts directory into a ``TopicCatalog``, collecting every problem instead of
/// stopping at the first, so one `topics validate` run lists all that needs fixing.
struct ContractLoader {
    let directory: URL
    private(set) var problems: [ContractProblem] = []

    /// The shared envelope from `common.yaml`.
    struct Envelope {
        var required: [String] = []
        var properties: [String: JSONValue] = [:]
        var fields: [String: [FieldClassification]] = [:]
        var example: [String: JSONValue] = [:]
    }

    init(directory: URL) {
        self.directory = directory
    }

    mutating func load() -> (TopicCatalog, [ContractProblem]) {
        let glossary = loadGlossary()
        var envelope = Envelope()
        var definitions: [String: JSONValue] = [:]
        loadCommon(into: &envelope, definitions: &definitions)
        for (name, enumeration) in glossary.enumerations.sorted(by: { $0.key < $1.key }) {
            if definitions[name] != nil {
                record(ContractProblem(file: TopicCatalog.Layout.commonFile, path: JSONPath([.key("$defs"), .key(name)]).description,
                                       message: "also defined as an enumeration in \(TopicCatalog.Layout.glossaryFile)"))
            }
            definitions[name] = enumeration.schema
        }
        checkDefinitions(definitions)

        var topics: [TopicContract] = []
        var documents: [String: JSONValue] = [:]
        var schemas: [String: JSONSchema] = [:]
        var eventOwners: [String: String] = [:]
        for file in topicFiles() {
            guard var topic = loadTopic(file) else { continue }
            if let other = topics.first(where: { $0.name == topic.name }) {
                record(ContractProblem(file: file, path: "$.name", message: "topic \(topic.name) is also defined in \(other.file)"))
                continue
            }
            check(topic: topic, participants: participantCodes(glossary))
            checkHeaderExamples(topic)
            for (index, var event) in topic.events.enumerated() {
                if let owner = eventOwners[event.qualifiedName] {
                    record(ContractProblem(file: file, path: event.path.appending(key: "type").description,
                                           message: "\(event.qualifiedName) is also defined in \(owner)"))
                    continue
                }
                eventOwners[event.qualifiedName] = file
                let document = schemaDocument(topic: topic, event: event, envelope: envelope, definitions: definitions)
                documents[event.qualifiedName] = document
                if topic.valueFormat == .event {
                    event.validExamples = event.validExamples.enumerated().map { i, example in
                        completeExample(example, event: event, index: i, envelope: envelope)
                    }
                }
                topic.events[index] = event
                do {
                    let schema = try JSONSchema(document)
                    schemas[event.qualifiedName] = schema
                    checkExamples(&topic.events[index], topic: topic, schema: schema)
                } catch {
                    record(problem(for: error, topic: topic, event: event))
                }
                checkClassifications(event, topic: topic, envelope: envelope)
                checkKey(topic: topic, event: event)
            }
            topics.append(topic)
        }
        return (TopicCatalog(glossary: glossary, topics: topics, schemaDocuments: documents, schemas: schemas, envelopeFields: envelope.fields), problems)
    }

    mutating func record(_ problem: ContractProblem) {
        problems.append(problem)
    }

    // MARK: Files

    private func topicFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter {
            $0.hasSuffix(".yaml") && $0 != TopicCatalog.Layout.glossaryFile && $0 != TopicCatalog.Layout.commonFile
        }.sorted()
    }

    private mutating func parse(_ file: String) -> JSONValue? {
        let url = directory.appendingPathComponent(file)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            record(ContractProblem(file: file, path: "$", message: "cannot be read as UTF-8 text"))
            return nil
        }
        do {
            return try JSONValue(yaml: text, file: file)
        } catch {
            record(error)
            return nil
        }
    }

    private mutating func loadGlossary() -> Glossary {
        let file = TopicCatalog.Layout.glossaryFile
        guard let document = parse(file) else { return Glossary(enumerations: [:]) }
        let reader = ContractReader(file: file)
        do throws(ContractProblem) {
            let root = try reader.object(document, .root)
            let path = JSONPath.root.appending(key: "enumerations")
            var enumerations: [String: Glossary.Enumeration] = [:]
            for (name, value) in try reader.object(root["enumerations"], path) {
                let at = path.appending(key: name)
                let members = try reader.object(value, at)
                try reader.onlyKeys(members, ["description", "values"], at)
                let description = try reader.string(members["description"], at.appending(key: "description"))
                let values = try reader.object(members["values"], at.appending(key: "values"))
                if values.isEmpty { throw reader.problem(at.appending(key: "values"), "an enumeration needs at least one value") }
                var pairs: [(String, String)] = []
                for code in values.keys.sorted() {
                    pairs.append((code, try reader.string(values[code], at.appending(key: "values").appending(key: code))))
                }
                enumerations[name] = Glossary.Enumeration(name: name, description: description, values: pairs)
            }
            return Glossary(enumerations: enumerations)
        } catch {
            record(error)
            return Glossary(enumerations: [:])
        }
    }

    private mutating func loadCommon(into envelope: inout Envelope, definitions: inout [String: JSONValue]) {
        let file = TopicCatalog.Layout.commonFile
        guard let document = parse(file) else { return }
        let reader = ContractReader(file: file)
        do throws(ContractProblem) {
            let root = try reader.object(document, .root)
            try reader.onlyKeys(root, ["envelope", "$defs", "exampleEnvelope"], .root)
            let at = JSONPath.root.appending(key: "envelope")
            let envelopeMembers = try reader.object(root["envelope"], at)
            try reader.onlyKeys(envelopeMembers, ["description", "required", "properties", "fields"], at)
            envelope.required = try reader.strings(envelopeMembers["required"], at.appending(key: "required"))
            envelope.properties = try reader.object(envelopeMembers["properties"], at.appending(key: "properties"))
            envelope.fields = try classifications(envelopeMembers["fields"], at.appending(key: "fields"), reader)
            definitions = try reader.object(root["$defs"], JSONPath.root.appending(key: "$defs"))
            envelope.example = try reader.object(root["exampleEnvelope"], JSONPath.root.appending(key: "exampleEnvelope"))
            for name in envelope.properties.keys.sorted() where envelope.fields[name] == nil {
                record(reader.problem(at.appending(key: "fields"), "envelope field \(name) has no classification"))
            }
        } catch {
            record(error)
        }
    }

    /// Compiles the shared definitions on their own, so a broken one is reported once, against
    /// the file it is in, rather than once per event schema.
    private mutating func checkDefinitions(_ definitions: [String: JSONValue]) {
        do {
            _ = try JSONSchema(.object(["$defs": .object(definitions)]))
        } catch {
            record(ContractProblem(file: TopicCatalog.Layout.commonFile, path: Self.path(fromPointer: error.schemaLocation).description,
                                   message: error.description))
        }
    }

    func classifications(_ value: JSONValue?, _ path: JSONPath, _ reader: ContractReader) throws(ContractProblem) -> [String: [FieldClassification]] {
        var result: [String: [FieldClassification]] = [:]
        for (field, names) in try reader.object(value, path) {
            let at = path.appending(key: field)
            var classes: [FieldClassification] = []
            for name in try reader.stringOrStrings(names, at) {
                guard let classification = FieldClassification(rawValue: name) else {
                    throw reader.problem(at, "unknown classification \"\(name)\"; expected one of \(FieldClassification.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                classes.append(classification)
            }
            if classes.isEmpty { throw reader.problem(at, "a field needs at least one classification") }
            result[field] = classes
        }
        return result
    }

    // MARK: Topics

    private mutating func loadTopic(_ file: String) -> TopicContract? {
        guard let document = parse(file) else { return nil }
        let reader = ContractReader(file: file)
        do throws(ContractProblem) {
            let root = try reader.object(document, .root)
            func at(_ key: String) -> JSONPath { JSONPath.root.appending(key: key) }
            let formatName = try reader.optionalString(root["value"], at("value")) ?? TopicContract.ValueFormat.event.rawValue
            guard let format = TopicContract.ValueFormat(rawValue: formatName) else {
                throw reader.problem(at("value"), "must be event, message or opaque")
            }
            var allowed: Set<String> = ["name", "purpose", "key", "partitions", "cleanupPolicy", "retention", "producers", "consumers", "value", "headers"]
            switch format {
            case .event: allowed.insert("events")
            case .message: allowed.formUnion(["events", "eventIdField"])
            case .opaque: allowed.formUnion(["classification", "examples"])
            }
            try reader.onlyKeys(root, allowed, .root)
            let name = try reader.string(root["name"], at("name"))
            guard file == name + ".yaml" else { throw reader.problem(at("name"), "the file must be named after the topic: \(name).yaml") }
            let keyMembers = try reader.object(root["key"], at("key"))
            try reader.onlyKeys(keyMembers, ["field", "why"], at("key"))
            let key = TopicContract.Key(
                field: try reader.string(keyMembers["field"], at("key").appending(key: "field")),
                why: try reader.string(keyMembers["why"], at("key").appending(key: "why")))
            let partitions = try reader.integer(root["partitions"], at("partitions"))
            guard (1...1000).contains(partitions) else { throw reader.problem(at("partitions"), "must be between 1 and 1000") }
            let policyName = try reader.string(root["cleanupPolicy"], at("cleanupPolicy"))
            guard let policy = TopicContract.CleanupPolicy(rawValue: policyName) else {
                throw reader.problem(at("cleanupPolicy"), "must be delete or compact")
            }
            let retentionText: String
            if case .number(let n)? = root["retention"] { retentionText = "\(n)ms" } else {
                retentionText = try reader.string(root["retention"], at("retention"))
            }
            guard let retention = TopicContract.Retention(retentionText) else {
                throw reader.problem(at("retention"), "must be forever, <days>d, <hours>h or <milliseconds>ms")
            }
            var events: [EventContract] = []
            if format != .opaque {
                for (index, value) in try reader.array(root["events"], at("events")).enumerated() {
                    events.append(try loadEvent(value, at("events").appending(index: index), format: format, reader))
                }
                if events.isEmpty { throw reader.problem(at("events"), "a topic carries at least one event type") }
            }
            var topic = TopicContract(
                name: name, file: file, purpose: try reader.string(root["purpose"], at("purpose")), key: key,
                partitions: partitions, cleanupPolicy: policy, retention: retention,
                producers: try reader.strings(root["producers"], at("producers")),
                consumers: try reader.strings(root["consumers"], at("consumers")), events: events)
            topic.valueFormat = format
            topic.headers = try headers(root["headers"] ?? .array([]), at("headers"), reader)
            switch format {
            case .event: break
            case .message:
                topic.eventIdField = try reader.string(root["eventIdField"], at("eventIdField"))
            case .opaque:
                topic.valueClassifications = try classifications(.object(["value": root["classification"] ?? .array([])]), at("classification"), reader)["value"] ?? []
                topic.headerExamples = try headerExamples(root["examples"], at("examples"), reader)
            }
            return topic
        } catch {
            record(error)
            return nil
        }
    }

    private func loadEvent(_ value: JSONValue, _ path: JSONPath, format: TopicContract.ValueFormat, _ reader: ContractReader) throws(ContractProblem) -> EventContract {
        let members = try reader.object(value, path)
        // The schema's key says what it describes: the payload inside the envelope, or the whole message.
        let schemaKey = format == .message ? "message" : "payload"
        try reader.onlyKeys(members, ["type", "version", "description", schemaKey, "fields", "examples", "stateIdOptional", "consumers"], path)
        let type = try reader.string(members["type"], path.appending(key: "type"))
        guard type.range(of: #"^[a-z]+(\.[a-z][a-z-]*)+$"#, options: .regularExpression) != nil else {
            throw reader.problem(path.appending(key: "type"), "event types are dotted lower-case words, e.g. custody.release.scheduled")
        }
        let version = try reader.integer(members["version"], path.appending(key: "version"))
        guard version >= 1 else { throw reader.problem(path.appending(key: "version"), "versions start at 1") }
        guard let payload = members[schemaKey] else {
            throw reader.problem(path.appending(key: schemaKey), format == .message ? "missing (the message's JSON Schema)" : "missing (the payload's JSON Schema)")
        }
        let examplesPath = path.appending(key: "examples")
        let examples = try reader.object(members["examples"], examplesPath)
        try reader.onlyKeys(examples, ["valid", "invalid"], examplesPath)
        let valid = try reader.array(examples["valid"], examplesPath.appending(key: "valid"))
        if valid.isEmpty { throw reader.problem(examplesPath.appending(key: "valid"), "at least one valid example is required") }
        var invalid: [InvalidExample] = []
        let invalidPath = examplesPath.appending(key: "invalid")
        for (index, value) in try reader.array(examples["invalid"] ?? .array([]), invalidPath).enumerated() {
            let at = invalidPath.appending(index: index)
            let spec = try reader.object(value, at)
            try reader.onlyKeys(spec, ["description", "from", "set", "remove", "expect"], at)
            let from = try reader.integer(spec["from"] ?? .number(JSONNumber(0)), at.appending(key: "from"))
            guard valid.indices.contains(from) else { throw reader.problem(at.appending(key: "from"), "there is no valid example \(from)") }
            let expect = try reader.object(spec["expect"], at.appending(key: "expect"))
            var set: [(field: String, value: JSONValue)] = []
            for (field, newValue) in try reader.object(spec["set"] ?? .object([:]), at.appending(key: "set")).sorted(by: { $0.key < $1.key }) {
                set.append((field, newValue))
            }
            let remove = try reader.strings(spec["remove"] ?? .array([]), at.appending(key: "remove"))
            invalid.append(InvalidExample(
                description: try reader.string(spec["description"], at.appending(key: "description")),
                from: from, set: set, remove: remove, event: .null,
                expectedPath: try reader.string(expect["path"], at.appending(key: "expect").appending(key: "path")),
                expectedKeyword: try reader.string(expect["keyword"], at.appending(key: "expect").appending(key: "keyword")),
                path: at))
        }
        var event = EventContract(
            type: type, version: version,
            description: try reader.string(members["description"], path.appending(key: "description")),
            payloadSchema: payload,
            fields: try classifications(members["fields"], path.appending(key: "fields"), reader),
            validExamples: valid, invalidExamples: invalid, path: path)
        (event.stateIdOptional, event.fbiNumberStandsIn) = try stateIdOptional(members["stateIdOptional"], path.appending(key: "stateIdOptional"), reader)
        if let consumers = members["consumers"] { event.consumers = try reader.strings(consumers, path.appending(key: "consumers")) }
        return event
    }

    /// `stateIdOptional:` of an event version: absent (false), a boolean (true: any identifier
    /// may stand in for the state ID), or `fbiNumber` (only the FBI number may). Returns whether
    /// the state ID is optional and whether only the FBI number stands in for it.
    private func stateIdOptional(
        _ value: JSONValue?, _ path: JSONPath, _ reader: ContractReader
    ) throws(ContractProblem) -> (optional: Bool, fbiNumberOnly: Bool) {
        switch value {
        case nil: return (false, false)
        case .bool(let flag)?: return (flag, false)
        case .string("fbiNumber")?: return (true, true)
        case let other?: throw reader.problem(path, "must be true, false or fbiNumber, not \(other.kind)")
        }
    }

    // MARK: Schemas

    /// The standalone schema of one event version: the envelope with this event's type,
    /// version and payload, and every shared definition under `$defs`.
    private func schemaDocument(topic: TopicContract, event: EventContract, envelope: Envelope, definitions: [String: JSONValue]) -> JSONValue {
        if topic.valueFormat == .message {
            guard case .object(var members) = event.payloadSchema else { return event.payloadSchema }
            members["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            members["$id"] = .string("https://reentrybus.org/schemas/\(event.qualifiedName).schema.json")
            members["title"] = .string("\(event.type) version \(event.version)")
            members["description"] = .string("""
                \(event.description) Carried on topic \(topic.name), keyed by \(topic.key.field). The message is \
                this object alone: its type and version travel in the event-type and schema-version headers, \
                and its \(topic.eventIdField ?? "id") in the event-id header.
                """)
            members["$defs"] = .object(definitions)
            return .object(members)
        }
        var properties = envelope.properties
        properties["eventType"] = ["type": "string", "const": .string(event.type)]
        properties["schemaVersion"] = ["type": "integer", "const": .number(JSONNumber(event.version))]
        // A version whose subject may lack the state ID takes any identifier (`$defs/subject`,
        // at least one number); the key is then `SubjectKey`'s, documented in the description.
        let keyedByStateId = topic.isKeyedBySubject && !event.stateIdOptional
        let subject = keyedByStateId ? "keyedSubject" : event.fbiNumberStandsIn ? "numberedSubject" : "subject"
        properties["subject"] = ["$ref": .string("#/$defs/\(subject)")]
        properties["payload"] = event.payloadSchema
        var required = envelope.required
        if topic.isKeyedBySubject && !required.contains("subject") { required.append("subject") }
        return .object([
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": .string("https://reentrybus.org/schemas/\(event.qualifiedName).schema.json"),
            "title": .string("\(event.type) version \(event.version)"),
            "description": .string("\(event.description) Carried on topic \(topic.name), keyed by \(event.stateIdOptional ? SubjectKey.rule : topic.key.field)."),
            "type": "object",
            "required": .array(required.map(JSONValue.string)),
            "additionalProperties": false,
            "properties": .object(properties),
            "$defs": .object(definitions),
        ])
    }

    /// A schema compilation error, placed in the contract file where it can be fixed.
    private func problem(for error: SchemaCompilationError, topic: TopicContract, event: EventContract) -> ContractProblem {
        let path = Self.path(fromPointer: error.schemaLocation)
        if topic.valueFormat == .message, path.components.first != .key("$defs") {
            return ContractProblem(file: topic.file, path: JSONPath(event.path.components + [.key("message")] + path.components).description,
                                   message: error.description)
        }
        if path.components.starts(with: [.key("properties"), .key("payload")]) {
            let rest = path.components.dropFirst(2)
            return ContractProblem(file: topic.file, path: JSONPath(event.path.components + [.key("payload")] + rest).description,
                                   message: error.description)
        }
        if path.components.first == .key("$defs") {
            return ContractProblem(file: TopicCatalog.Layout.commonFile, path: path.description, message: error.description)
        }
        return ContractProblem(file: topic.file, path: event.path.description, message: error.description)
    }

    /// `#/properties/payload/items/0` → `$.properties.payload.items[0]`.
    static func path(fromPointer location: String) -> JSONPath {
        let pointer = location.hasPrefix("#") ? String(location.dropFirst()) : location
        let tokens = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return JSONPath(tokens.map { token in
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let index = Int(key), !key.isEmpty, key.allSatisfy(\.isNumber) { return .index(index) }
            return .key(key)
        })
    }
}
