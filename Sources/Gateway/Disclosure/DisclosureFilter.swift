import Contracts

/// Decides, field by field, what of an event or notification a caller may see. Every response
/// body of the gateway that carries event or notification data goes through one filter, so the
/// policy engine replaces one value and every output path follows.
///
/// An implementation must be deny by default: a field it cannot classify is withheld.
public protocol DisclosureFilter: Sendable {
    /// `value` (an event or a notification, as its contract describes it) reduced to what
    /// `caller` may see, and every member left out with its classifications and why.
    ///
    /// - Parameters:
    ///   - eventType: the contract's event type (`bus.notification.routed`,
    ///     `custody.release.scheduled`), which names the `fields:` map to read.
    ///   - schemaVersion: the version of that event type.
    func filter(_ value: JSONValue, eventType: String, schemaVersion: Int, for caller: Caller) -> FilteredDisclosure
}

/// What a filter lets through, and what it withheld.
public struct FilteredDisclosure: Sendable, Hashable {
    /// The value with withheld members absent (not nulled: an absent member says nothing).
    public var value: JSONValue
    /// Each withheld member, in the order of its name.
    public var withheld: [WithheldField]

    public init(value: JSONValue, withheld: [WithheldField]) {
        self.value = value
        self.withheld = withheld
    }
}

/// A member left out of a response: where, its classifications (empty when the contract does
/// not classify it), and a sentence saying why, which the response carries.
public struct WithheldField: Sendable, Hashable {
    /// A JSON path from the value's root, e.g. `$.summary`.
    public var path: String
    public var classifications: [FieldClassification]
    public var reason: String

    public init(path: String, classifications: [FieldClassification], reason: String) {
        self.path = path
        self.classifications = classifications
        self.reason = reason
    }
}

/// The filter the gateway uses until the policy engine is plugged in: it keeps only the
/// members the contract classifies `public` and nothing else (no member is disclosed because
/// of who asks). A member classified anything else, a member the contract does not classify,
/// or every member of an event type the catalog does not know, is withheld.
///
/// Top-level members are classified by the contract's `fields:` map; an agency event's
/// envelope members by the envelope's map (`common.yaml`), its payload members by the event's.
public struct PublicFieldsOnlyFilter: DisclosureFilter {
    public let catalog: TopicCatalog

    public init(catalog: TopicCatalog) {
        self.catalog = catalog
    }

    public func filter(_ value: JSONValue, eventType: String, schemaVersion: Int, for caller: Caller) -> FilteredDisclosure {
        guard case .object(let members) = value else {
            return FilteredDisclosure(value: .object([:]), withheld: [
                WithheldField(path: "$", classifications: [], reason: "not an object the contract classifies; withheld whole"),
            ])
        }
        let fields = catalog.event(type: eventType, version: schemaVersion)?.fields ?? [:]
        var kept: [String: JSONValue] = [:]
        var withheld: [WithheldField] = []
        for name in members.keys.sorted() {
            let classifications = fields[name] ?? []
            if !classifications.isEmpty, classifications.allSatisfy({ $0 == .public }) {
                kept[name] = members[name]
            } else if classifications.isEmpty {
                withheld.append(WithheldField(path: "$.\(name)", classifications: [], reason: "not classified by the contract; withheld by default"))
            } else {
                let names = classifications.map(\.rawValue).joined(separator: ", ")
                withheld.append(WithheldField(path: "$.\(name)", classifications: classifications, reason: "classified \(names); no policy allows it yet"))
            }
        }
        return FilteredDisclosure(value: .object(kept), withheld: withheld)
    }
}
