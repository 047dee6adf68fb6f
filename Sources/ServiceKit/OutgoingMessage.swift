import Kafka

/// A message to produce once the batch's transaction has committed (the outbox).
public struct OutgoingMessage: Sendable, Hashable {
    public var topic: String
    public var key: String
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// The state ID of the person the message is about, if any: not sent, only kept (as a
    /// digest) while the message waits in the outbox, so that a sealing order for the person
    /// removes it before it goes out (`SealingLedger`).
    public var subjectStateId: String?
    /// The FBI number of a person the message is about who is known by no state ID (an event
    /// that named the FBI number alone); kept likewise, never sent.
    public var subjectFbiNumber: String?

    public init(
        topic: String, key: String, value: [UInt8], headers: [KafkaHeader], subjectStateId: String? = nil, subjectFbiNumber: String? = nil
    ) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.subjectStateId = subjectStateId
        self.subjectFbiNumber = subjectFbiNumber
    }

    /// The digest the outbox files the message under until it is delivered
    /// (`SealingDigest.subject`: the state ID's, else the FBI number's).
    var subjectDigest: String? {
        SealingDigest.subject(stateId: subjectStateId, fbiNumber: subjectFbiNumber)
    }

    /// An upper bound of the size librdkafka checks against the producer's largest message
    /// (`message.max.bytes`): key, value and headers, plus the record's framing.
    public var wireSize: Int {
        Self.wireSize(key: key.utf8.count, value: value.count, headers: headers)
    }

    /// Framing of a record and its batch in Kafka's v2 format, rounded up generously: a message
    /// within the limit by less than this is treated as over it.
    static let framingAllowance = 512

    static func wireSize(key: Int, value: Int, headers: [KafkaHeader]) -> Int {
        headers.reduce(key + value + framingAllowance) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) + 10 }
    }
}
