/// One partition of one topic.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition: an absolute offset or one of Kafka's logical positions.
public struct KafkaOffset: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// The oldest message the broker still keeps.
    public static let beginning = KafkaOffset(-2)
    /// After the newest message: only messages produced from now on.
    public static let end = KafkaOffset(-1)
    /// The group's committed offset (librdkafka's default when a partition is assigned).
    public static let stored = KafkaOffset(-1000)

    public var isLogical: Bool { rawValue < 0 }

    public static func < (lhs: KafkaOffset, rhs: KafkaOffset) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .beginning: "beginning"
        case .end: "end"
        case .stored: "stored"
        default: String(rawValue)
        }
    }
}

/// A Kafka record header. Values are bytes; a nil value is Kafka's null header value.
public struct KafkaHeader: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    public init(key: String, value: String) {
        self.init(key: key, value: Array(value.utf8))
    }

    /// The value read as UTF-8 text, when it is valid UTF-8.
    public var stringValue: String? {
        value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}
