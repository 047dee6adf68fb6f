import Foundation

/// All topic contracts of a `Topics/` directory, with each event version's schema compiled.
///
/// Load it once at start-up: compiling every schema up front means a broken contract stops
/// the process instead of letting unchecked events through later. The catalog is an immutable
/// value; share it between tasks freely.
public struct TopicCatalog: Sendable {
    /// The directory layout: topic files beside `glossary.yaml` and `common.yaml`; generated
    /// schemas and examples below `schemas/` and `examples/`.
    public enum Layout {
        public static let glossaryFile = "glossary.yaml"
        public static let commonFile = "common.yaml"
        public static let schemasDirectory = "schemas"
        public static let examplesDirectory = "examples"
    }

    public let glossary: Glossary
    /// Topics sorted by name.
    public let topics: [TopicContract]
    /// Complete, self-contained JSON Schema documents by qualified name (`<type>.v<version>`).
    public let schemaDocuments: [String: JSONValue]
    /// The classifications of the envelope's members (`common.yaml`'s `envelope.fields`, e.g.
    /// `subject`: pii and cji), which every event of a ``TopicContract/ValueFormat/event`` topic
    /// carries beside its own ``EventContract/fields``: what the access policy redacts by.
    public let envelopeFields: [String: [FieldClassification]]
    let schemas: [String: JSONSchema]
    let topicIndexByEventType: [String: Int]
    /// What validating an event of each type needs, found with one lookup per event.
    let validationRoutes: [String: ValidationRoute]

    /// An event type's topic, key and versions, for ``EventValidator``'s path over bytes (a
    /// class: the validator reads it per event without copying the topic's contract).
    final class ValidationRoute: Sendable {
        let topic: String
        /// The versions validated on bytes: those whose key is always the state ID (an event of
        /// a version whose subject may lack it is keyed by ``SubjectKey``, on the tree).
        let byteVersions: [(version: Int, schema: JSONSchema)]
        /// What the byte validator notes while it reads an event of the type:
        /// ``Captured/eventType``, ``Captured/schemaVersion``, ``Captured/eventId`` and
        /// ``Captured/key``, in that order.
        let captures: CapturedPaths

        /// The paths of ``captures``, by position.
        enum Captured {
            static let eventType = 0, schemaVersion = 1, eventId = 2, key = 3
        }

        /// `keyPath`: the key field's path of member names (`subject`, `stateId`), as bytes;
        /// `versions`: every version of the type (those keyed by ``SubjectKey`` are left to the tree).
        init(topic: String, keyPath: [[UInt8]], versions: [(version: Int, schema: JSONSchema, stateIdOptional: Bool)]) {
            self.topic = topic
            byteVersions = versions.filter { !$0.stateIdOptional }.map { ($0.version, $0.schema) }
            captures = CapturedPaths(["eventType", "schemaVersion", "eventId"].map { [Array($0.utf8)] } + [keyPath])
        }
    }

    init(
        glossary: Glossary, topics: [TopicContract], schemaDocuments: [String: JSONValue], schemas: [String: JSONSchema],
        envelopeFields: [String: [FieldClassification]] = [:]
    ) {
        self.glossary = glossary
        self.envelopeFields = envelopeFields
        self.topics = topics.sorted { $0.name < $1.name }
        self.schemaDocuments = schemaDocuments
        self.schemas = schemas
        var index: [String: Int] = [:]
        for (i, topic) in self.topics.enumerated() {
            for event in topic.events { index[event.type] = i }
        }
        topicIndexByEventType = index
        var routes: [String: ValidationRoute] = [:]
        for topic in self.topics where topic.valueFormat == .event {
            for type in Set(topic.events.map(\.type)) {
                let versions = topic.events.filter { $0.type == type }.compactMap { event in
                    schemas[event.qualifiedName].map { (version: event.version, schema: $0, stateIdOptional: event.stateIdOptional) }
                }
                routes[type] = ValidationRoute(topic: topic.name, keyPath: topic.key.components.map { Array($0.utf8) }, versions: versions)
            }
        }
        validationRoutes = routes
    }

    /// Loads and checks every contract in `directory`.
    ///
    /// - Throws: ``ContractLoadingError`` listing every problem: unreadable files, malformed or
    ///   unsupported schemas, examples that do not behave as declared, fields without a
    ///   classification, keys the schema does not guarantee. Generated files are not checked
    ///   here; ``check(directory:)`` does that too.
    public static func load(from directory: URL) throws(ContractLoadingError) -> TopicCatalog {
        var loader = ContractLoader(directory: directory)
        let (catalog, problems) = loader.load()
        guard problems.isEmpty else { throw ContractLoadingError(problems: problems) }
        return catalog
    }

    /// Everything `topics validate` checks: what ``load(from:)`` checks, and that the exported
    /// schemas and examples on disk are the ones the contracts generate now.
    public static func check(directory: URL) -> ContractCheckReport {
        check(directory: directory, exports: true)
    }

    static func check(directory: URL, exports: Bool) -> ContractCheckReport {
        var loader = ContractLoader(directory: directory)
        let (catalog, loadProblems) = loader.load()
        var problems = loadProblems
        if exports { problems += catalog.staleExports(in: directory) }
        let events = catalog.topics.flatMap(\.events)
        return ContractCheckReport(
            topics: catalog.topics.count, eventVersions: events.count,
            validExamples: events.reduce(0) { (sum: Int, event: EventContract) in sum + event.validExamples.count }
                + catalog.topics.flatMap(\.headerExamples).filter { $0.expectedHeader == nil }.count,
            invalidExamples: events.reduce(0) { (sum: Int, event: EventContract) in sum + event.invalidExamples.count }
                + catalog.topics.flatMap(\.headerExamples).filter { $0.expectedHeader != nil }.count,
            problems: problems)
    }

    public func topic(named name: String) -> TopicContract? {
        topics.first { $0.name == name }
    }

    /// The topic that carries `eventType`.
    public func topic(forEventType eventType: String) -> TopicContract? {
        topicIndexByEventType[eventType].map { topics[$0] }
    }

    /// The compiled schema of one event version, for validation.
    public func schema(forEventType eventType: String, version: Int) -> JSONSchema? {
        schemas["\(eventType).v\(version)"]
    }

    /// The contract of one event version.
    public func event(type: String, version: Int) -> EventContract? {
        topic(forEventType: type)?.events.first { $0.type == type && $0.version == version }
    }
}

/// The outcome of checking a contracts directory.
public struct ContractCheckReport: Sendable {
    public var topics: Int
    public var eventVersions: Int
    public var validExamples: Int
    public var invalidExamples: Int
    /// Empty when every contract is in order.
    public var problems: [ContractProblem]

    public var isValid: Bool { problems.isEmpty }
}
