import Contracts
import ServiceKit

/// The people one agency event names, read from its JSON without decoding the whole event: the
/// envelope's subject and, in the payload, the people an incident, an investigation or a
/// contact names, with the addresses the event gives for its subject. Every event type of the
/// topics the person index reads decodes into it (absent members are nil), so one reading serves
/// them all and an event type added to a contract later is read the same way.
public struct PersonMentions: Decodable, Sendable {
    public struct Source: Decodable, Sendable {
        public var agencyId: String
    }

    /// The payload members that name a person or the subject's address.
    public struct Payload: Decodable, Sendable {
        /// A supervision case's registered address, or an approved new one.
        public var address: Address?
        /// Where a released person goes to live.
        public var destination: Address?
        public var location: Location?
        /// Whether a contact's `location` is the subject's residence.
        public var atSubjectResidence: Bool?
        public var personContacted: InvolvedPerson?
        public var victims: [InvolvedPerson]?
        public var suspects: [InvolvedPerson]?
        public var personsOfInterest: [InvolvedPerson]?
    }

    public var eventId: String
    public var occurredAt: String
    public var source: Source
    public var subject: SubjectIdentifiers?
    public var payload: Payload?

    /// Reads `event`; one that does not decode is a poison message (the reason names the
    /// member, never a value).
    public init(_ event: AdmittedEvent) throws(PoisonMessage) {
        do {
            self = try EventCodec.decodeJSON(Self.self, from: event.value)
        } catch {
            throw PoisonMessage(reason: "its people could not be read (source.agencyId, subject or the payload's people are malformed)")
        }
    }
}
