import Placeholders

// Person numbers as every consumer reads them: a value that says "no number" ("UNKNOWN",
// "NONE", "PENDING", zeros: `PersonNumberPlaceholder`) is decoded as no number at all.
//
// The contracts' patterns let such values through ("UNKNOWN" is a well-formed FBI number and
// state ID by shape), and refusing them there would refuse, as a breaking change, events that
// carry a real number beside a placeholder one. Read as numbers they would join strangers: an
// arrest filed under FBI number "UNKNOWN" would reach the officer of every supervisee filed
// so, and a warrant under it would hold their releases. The event's bytes are unchanged (its
// Kafka key too, which only places it on a partition); only what the services match on is.
// An event left with no number at all is about no one the bus can name: each service treats
// it as it treats any event without a number it needs.

extension SubjectIdentifiers {
    private enum DecodingKeys: String, CodingKey {
        case stateId, fbiNumber, docNumber, bookingNumber, rmsNumber, name, dateOfBirth, aliases
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DecodingKeys.self)
        self.init(
            stateId: try container.personNumber(.stateId), fbiNumber: try container.personNumber(.fbiNumber),
            docNumber: try container.personNumber(.docNumber), bookingNumber: try container.personNumber(.bookingNumber),
            rmsNumber: try container.personNumber(.rmsNumber), name: try container.decodeIfPresent(PersonName.self, forKey: .name),
            dateOfBirth: try container.decodeIfPresent(CalendarDate.self, forKey: .dateOfBirth),
            aliases: try container.decodeIfPresent([PersonName].self, forKey: .aliases))
    }
}

extension InvolvedPerson {
    private enum DecodingKeys: String, CodingKey {
        case stateId, fbiNumber, name, dateOfBirth, underSupervision
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DecodingKeys.self)
        self.init(
            stateId: try container.personNumber(.stateId), fbiNumber: try container.personNumber(.fbiNumber),
            name: try container.decodeIfPresent(PersonName.self, forKey: .name),
            dateOfBirth: try container.decodeIfPresent(CalendarDate.self, forKey: .dateOfBirth),
            underSupervision: try container.decodeIfPresent(Bool.self, forKey: .underSupervision))
    }
}

extension SubscribedPerson {
    private enum DecodingKeys: String, CodingKey {
        case stateId, fbiNumber
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DecodingKeys.self)
        self.init(stateId: try container.personNumber(.stateId), fbiNumber: try container.personNumber(.fbiNumber))
    }
}

extension KeyedDecodingContainer {
    /// The number under `key`; nil when absent or a placeholder.
    fileprivate func personNumber(_ key: Key) throws -> String? {
        guard let value = try decodeIfPresent(String.self, forKey: key) else { return nil }
        return PersonNumberPlaceholder.isPlaceholder(value) ? nil : value
    }
}
