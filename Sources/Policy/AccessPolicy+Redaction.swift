import Contracts
import Placeholders

extension AccessPolicy {
    /// Redacts `value` (an event, or a message of a bus topic such as a notification) of
    /// `eventType` for `requester`, field by field from its contract's classifications.
    ///
    /// A field is kept when every one of its classifications is granted to one of the
    /// requester's roles for their agency kind and purpose, and, for `health`, a consent is in
    /// force (`context`), and for `criminal_intelligence`, the requester holds a Part 23
    /// subscription. Otherwise it is absent from the result and listed as withheld with the
    /// reason. A field whose contract gives it no classification (not in the contract, or an
    /// event type without a contract) is withheld too. A classification covers the field and
    /// everything inside it (array items included); a deeper classification in the contract
    /// decides for what it covers.
    ///
    /// A message made from another event (a notification: it has a `sourceEventType`) is as
    /// sensitive as that event: each of its fields that is not `public` also carries every
    /// classification the source event's contract gives (a bulletin's notification is health
    /// information, an investigation's criminal intelligence), so its summary and facts need
    /// what the event's own fields would.
    ///
    /// - Parameter version: the event version whose contract applies; nil for the envelope's
    ///   `schemaVersion`, else the latest the catalog knows.
    public func redact(
        _ value: JSONValue, eventType: String, version: Int? = nil, for requester: Requester, context: DisclosureContext = DisclosureContext()
    ) -> Redaction {
        redact(value, eventType: eventType, version: version) { classifications in self.decide(classifications, for: requester, context: context) }
    }

    /// Redacts `value` to its `public` fields alone, whoever asks: for a requester the policy
    /// cannot place (an agency whose kind nobody knows), so that no grant is guessed. Every other
    /// field is withheld as ``WithholdingReason/notGranted``, unclassified ones as such.
    public func redactToPublic(_ value: JSONValue, eventType: String, version: Int? = nil) -> Redaction {
        redact(value, eventType: eventType, version: version) { classifications in
            guard !classifications.isEmpty else { return .unclassified }
            return classifications.allSatisfy { $0 == .public } ? nil : .notGranted
        }
    }

    /// Redacts `value`, which no contract describes (a row of a read-model view), by
    /// `classifications`: its paths (dotted members, array items not numbered, as a contract's
    /// `fields`) and their classifications, e.g. the view's entry in `Policy/views.yaml`. The
    /// same walk and decisions as an event's: a path not in the map is withheld as unclassified.
    /// A requester without an agency kind sees `public` fields only.
    public func redact(
        _ value: JSONValue, classifications: [String: [FieldClassification]], for requester: Requester,
        context: DisclosureContext = DisclosureContext()
    ) -> Redaction {
        let map = ClassificationMap(fields: classifications)
        guard requester.agencyKind != nil else {
            return redact(value, map: map) { classifications in
                guard !classifications.isEmpty else { return .unclassified }
                return classifications.allSatisfy { $0 == .public } ? nil : .notGranted
            }
        }
        return redact(value, map: map) { classifications in self.decide(classifications, for: requester, context: context) }
    }

    /// The walk shared by both redactions; `decide` says why a field of given classifications is
    /// withheld, or nil to show it.
    func redact(_ value: JSONValue, eventType: String, version: Int?, decide: @escaping ([FieldClassification]) -> WithholdingReason?) -> Redaction {
        var map = classificationMap(eventType: eventType, version: version ?? value.schemaVersion)
        if case .object(let members) = value, case .string(let source)? = members["sourceEventType"], source != eventType {
            map = map.inheriting(sourceClassifications(eventType: source))
        }
        return redact(value, map: map, decide: decide)
    }

    /// Walks `value` by `map`.
    func redact(_ value: JSONValue, map: ClassificationMap, decide: @escaping ([FieldClassification]) -> WithholdingReason?) -> Redaction {
        var walk = RedactionWalk(map: map, decide: decide)
        guard let redacted = walk.object(value, path: "", inherited: nil) else {
            // Events and messages are objects; anything else is described by no contract.
            return Redaction(
                value: .object([:]), disclosed: [], withheld: [WithheldField(field: "$", classifications: [], reason: .unclassified)],
                persons: PersonIdentifier.all(in: value), notices: [])
        }
        let disclosed = walk.disclosed.sorted { $0.key < $1.key }.map { DisclosedField(field: $0.key, classifications: $0.value) }
        let withheld = walk.withheld.sorted { $0.key < $1.key }.map { WithheldField(field: $0.key, classifications: $0.value.0, reason: $0.value.1) }
        let health = disclosed.contains { $0.classifications.contains(.health) }
        return Redaction(
            value: redacted, disclosed: disclosed, withheld: withheld, persons: PersonIdentifier.all(in: value),
            notices: health ? [.part2Redisclosure] : [])
    }

    /// Why a field of `classifications` is withheld from `requester`, or nil when it is shown.
    func decide(_ classifications: [FieldClassification], for requester: Requester, context: DisclosureContext) -> WithholdingReason? {
        guard !classifications.isEmpty else { return .unclassified }
        for classification in classifications where !grants(requester, classification: classification) {
            return .notGranted
        }
        if classifications.contains(.health), !context.consentInForce { return .consentNotInForce }
        if classifications.contains(.criminalIntelligence), !context.holdsPart23Subscription { return .noPart23Basis }
        return nil
    }

    /// Every classification other than `public` that the contract of `eventType` (its latest
    /// version, with the envelope) gives to any field; `nil` when no contract describes it.
    func sourceClassifications(eventType: String) -> Set<FieldClassification>? {
        let map = classificationMap(eventType: eventType, version: nil)
        guard !map.fields.isEmpty else { return nil }
        return Set(map.fields.values.joined()).subtracting([.public])
    }

    /// The classified paths of one event version: the envelope's and the event's own on an event
    /// topic, the event's from the root on a message topic; nothing when no contract describes
    /// the type (everything is then withheld).
    func classificationMap(eventType: String, version: Int?) -> ClassificationMap {
        guard let topic = catalog.topic(forEventType: eventType) else { return ClassificationMap(fields: [:]) }
        let versions = topic.events.filter { $0.type == eventType }
        guard let event = versions.first(where: { $0.version == version }) ?? versions.max(by: { $0.version < $1.version }) else {
            return ClassificationMap(fields: [:])
        }
        switch topic.valueFormat {
        case .event: return ClassificationMap(fields: catalog.envelopeFields.merging(event.fields) { _, own in own })
        case .message: return ClassificationMap(fields: event.fields)
        case .opaque: return ClassificationMap(fields: [:])
        }
    }
}

/// Classified paths, and the paths that have a classified path below them (where the walk must
/// go deeper instead of deciding for the whole subtree).
struct ClassificationMap {
    let fields: [String: [FieldClassification]]
    let ancestors: Set<String>

    init(fields: [String: [FieldClassification]]) {
        self.fields = fields
        var ancestors = Set<String>()
        for path in fields.keys {
            var parts = path.split(separator: ".").dropLast()
            while !parts.isEmpty {
                ancestors.insert(parts.joined(separator: "."))
                parts = parts.dropLast()
            }
        }
        self.ancestors = ancestors
    }

    /// The map with `source`'s classifications added to every field that is not only public;
    /// a source without a contract makes every such field unclassified (withheld): what it
    /// carries is unknown.
    func inheriting(_ source: Set<FieldClassification>?) -> ClassificationMap {
        ClassificationMap(fields: fields.mapValues { own in
            guard own != [.public] else { return own }
            guard let source else { return [] }
            return Array(Set(own).union(source)).sorted { $0.rawValue < $1.rawValue }
        })
    }
}

/// One pass over a value: keeps or drops each member, collecting what was disclosed and withheld.
struct RedactionWalk {
    let map: ClassificationMap
    let decide: ([FieldClassification]) -> WithholdingReason?
    var disclosed: [String: [FieldClassification]] = [:]
    var withheld: [String: ([FieldClassification], WithholdingReason)] = [:]

    init(map: ClassificationMap, decide: @escaping ([FieldClassification]) -> WithholdingReason?) {
        self.map = map
        self.decide = decide
    }

    /// The members of the object at `path` that may be shown (nil when `value` is not an object).
    mutating func object(_ value: JSONValue, path: String, inherited: [FieldClassification]?) -> JSONValue? {
        guard case .object(let members) = value else { return nil }
        var kept: [String: JSONValue] = [:]
        for (name, member) in members {
            let memberPath = path.isEmpty ? name : "\(path).\(name)"
            if let shown = self.member(member, path: memberPath, classifications: map.fields[memberPath] ?? inherited) {
                kept[name] = shown
            }
        }
        return .object(kept)
    }

    /// `value` at `path` as far as it may be shown, or nil when it is withheld whole.
    mutating func member(_ value: JSONValue, path: String, classifications: [FieldClassification]?) -> JSONValue? {
        if map.ancestors.contains(path) {
            switch value {
            case .object: return object(value, path: path, inherited: classifications)
            case .array(let items): return .array(items.compactMap { member($0, path: path, classifications: classifications) })
            default: break
            }
        }
        let classes = (classifications ?? []).sorted { $0.rawValue < $1.rawValue }
        if let reason = decide(classes) {
            withheld[path] = (classes, reason)
            return nil
        }
        disclosed[path] = classes
        return value
    }
}

extension JSONValue {
    /// The envelope's `schemaVersion`, when the value has one.
    var schemaVersion: Int? {
        guard case .object(let members) = self, case .number(let number)? = members["schemaVersion"] else { return nil }
        return Int(exactly: number.doubleValue)
    }
}

extension PersonIdentifier {
    /// Every person identifier in `value`: members named as the subject's identifiers
    /// (`stateId`, `fbiNumber`, …) at any depth, a notification's `subjectStateId`, and its
    /// `reason.matched` entries that name one. Sorted, each once. A value that says there is no
    /// number ("UNKNOWN", zeros: `PersonNumberPlaceholder`) names nobody and is left out, so the
    /// audit ledger does not file strangers' disclosures under one "person" UNKNOWN.
    public static func all(in value: JSONValue) -> [PersonIdentifier] {
        var found = Set<PersonIdentifier>()
        func insert(_ identifier: PersonIdentifier) {
            if !PersonNumberPlaceholder.isPlaceholder(identifier.value) { found.insert(identifier) }
        }
        func visit(_ value: JSONValue) {
            switch value {
            case .object(let members):
                for (name, member) in members {
                    if case .string(let text) = member, !text.isEmpty {
                        if kinds.contains(name) { insert(PersonIdentifier(identifier: name, value: text)) }
                        if name == "subjectStateId" { insert(PersonIdentifier(identifier: "stateId", value: text)) }
                    }
                    visit(member)
                }
                // A notification's matched identifier: {name: stateId, value: MO1234567}.
                if case .string(let name)? = members["name"], kinds.contains(name), case .string(let text)? = members["value"], !text.isEmpty {
                    insert(PersonIdentifier(identifier: name, value: text))
                }
            case .array(let items):
                items.forEach(visit)
            default:
                break
            }
        }
        visit(value)
        return found.sorted()
    }
}
