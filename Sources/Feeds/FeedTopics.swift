import Contracts

/// The agencies' topics of the contracts, each with the agency kinds that publish to it (its
/// `producers:`): the feeds liveness watches. A topic is an agency topic when an agency kind
/// produces it; the bus's own topics (`bus.*`) and the directory, written by the bus's services
/// and operators, are not feeds.
public struct FeedTopics: Sendable, Hashable {
    /// Topic → the agency kinds its contract lists among its producers.
    public let producers: [String: Set<AgencyKind>]

    public init(producers: [String: Set<AgencyKind>]) {
        self.producers = producers
    }

    /// The agency topics of `catalog`.
    public init(catalog: TopicCatalog) {
        var producers: [String: Set<AgencyKind>] = [:]
        for topic in catalog.topics where topic.valueFormat == .event {
            let kinds = Set(topic.producers.compactMap(AgencyKind.init(rawValue:)))
            if !kinds.isEmpty { producers[topic.name] = kinds }
        }
        self.init(producers: producers)
    }

    /// The topics, sorted.
    public var names: [String] { producers.keys.sorted() }

    /// Whether an agency of `kind` is expected to publish to `topic` (its contract lists the kind).
    public func isProduced(_ topic: String, by kind: AgencyKind?) -> Bool {
        guard let kind else { return false }
        return producers[topic]?.contains(kind) ?? false
    }
}
