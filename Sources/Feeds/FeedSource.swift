import Contracts
import ServiceKit

/// What the feeds service reads of an agency event: its envelope's source agency (and kind),
/// and its `recordedAt` for an event without a Kafka timestamp. The payload is not looked at.
struct FeedSource {
    var agencyId: String
    var agencyKind: String?
    var recordedAtMilliseconds: Int64?

    /// - Throws: `PoisonMessage` naming the field when the value is not JSON or its
    ///   `source.agencyId` is missing or not an agency id (two letters, a dash, upper-case
    ///   letters and digits in dash-separated parts, at most 40 characters, as `common.yaml`
    ///   says): a feed is named by it, and so is the agency the notifications go to.
    init(_ event: AdmittedEvent) throws(PoisonMessage) {
        // Straight from the bytes (no tree: this runs for every event the service reads); a
        // member of another type, or bytes that are not JSON, go to the tree, which says why.
        if event.document == nil, let members = try? EventCodec.decodeJSON(Members.self, from: event.value),
            let agencyId = members.source?.agencyId
        {
            guard AgencyIdentifier.isValid(agencyId) else { throw PoisonMessage(reason: "$.source.agencyId is not an agency id") }
            self.agencyId = agencyId
            agencyKind = members.source?.agencyKind.flatMap { AgencyKind(rawValue: $0) != nil ? $0 : nil }
            recordedAtMilliseconds = members.recordedAt.flatMap(RFC3339.parse).map(SealingOrder.milliseconds)
            return
        }
        let document: JSONValue
        if let parsed = event.document {
            document = parsed
        } else {
            do {
                document = try JSONValue(parsing: event.value)
            } catch {
                throw PoisonMessage(reason: "the value is not JSON: \(error.description)")
            }
        }
        guard case .string(let agencyId)? = document["source"]?["agencyId"] else {
            throw PoisonMessage(reason: "$.source.agencyId is missing")
        }
        guard AgencyIdentifier.isValid(agencyId) else { throw PoisonMessage(reason: "$.source.agencyId is not an agency id") }
        self.agencyId = agencyId
        if case .string(let kind)? = document["source"]?["agencyKind"], AgencyKind(rawValue: kind) != nil {
            agencyKind = kind
        }
        if case .string(let text)? = document["recordedAt"], let recorded = RFC3339.parse(text) {
            recordedAtMilliseconds = SealingOrder.milliseconds(recorded)
        }
    }

    /// The members read, as `Decodable` (see ``init(_:)``).
    private struct Members: Decodable {
        struct Source: Decodable {
            var agencyId: String?
            var agencyKind: String?
        }

        var source: Source?
        var recordedAt: String?
    }
}
