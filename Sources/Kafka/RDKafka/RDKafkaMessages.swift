import CRdKafka

/// A message librdkafka returned to the consumer; destroyed once, by whoever holds it.
typealias RDKafkaMessagePointer = UnsafeMutablePointer<rd_kafka_message_t>

/// Messages as librdkafka returned them, not yet converted. Owned by whoever holds them: each
/// is destroyed exactly once, after conversion or when dropped.
struct RawMessages: @unchecked Sendable {
    var messages: [RDKafkaMessagePointer]
    /// Partitions whose end was reached after these messages (librdkafka's partition-EOF
    /// events, which only a topic reader asks for), with the end: the next offset to read.
    var ends: [TopicPartition: Int64]

    init(_ messages: [RDKafkaMessagePointer], ends: [TopicPartition: Int64] = [:]) {
        self.messages = messages
        self.ends = ends
    }

    /// The messages held (ends do not count).
    var count: Int { messages.count }

    mutating func append(contentsOf other: RawMessages) {
        messages.append(contentsOf: other.messages)
        ends.merge(other.ends) { max($0, $1) }
    }

    func destroyAll() {
        for message in messages { rd_kafka_message_destroy(message) }
    }

    /// Destroys the messages of `partitions` and returns the others (nil when nothing is left).
    func removing(_ partitions: Set<TopicPartition>) -> RawMessages? {
        var kept: [RDKafkaMessagePointer] = []
        for message in messages {
            if partitions.contains(TopicPartition(message)) {
                rd_kafka_message_destroy(message)
            } else {
                kept.append(message)
            }
        }
        let keptEnds = ends.filter { !partitions.contains($0.key) }
        return kept.isEmpty && keptEnds.isEmpty ? nil : RawMessages(kept, ends: keptEnds)
    }
}

extension TopicPartition {
    init(_ message: RDKafkaMessagePointer) {
        self.init(topic: String(cString: rd_kafka_topic_name(message.pointee.rkt)), partition: message.pointee.partition)
    }
}


/// Converts librdkafka's messages to a `KafkaConsumerBatch`, caching topic names by handle so
/// a batch allocates no topic strings.
struct MessageConverter {
    /// A copy of `count` bytes: one allocation and one `memcpy` (initialising an array from a
    /// raw buffer as a sequence would copy byte by byte).
    @inline(__always)
    static func bytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.initialize(from: start.assumingMemoryBound(to: UInt8.self), count: count) }
            initialized = count
        }
    }

    /// Appends `message`'s headers to `headers`.
    ///
    /// librdkafka parses a record's headers on this first call, allocating a parse buffer even
    /// when there are none (the count is part of the bytes): ~80 ns per message, which
    /// `readsHeaders` lets a consumer that needs no headers skip.
    static func appendHeaders(of message: UnsafePointer<rd_kafka_message_t>, to headers: inout [KafkaHeader]) {
        var headerList: OpaquePointer?
        guard rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList else { return }
        var index = 0
        var name: UnsafePointer<CChar>?
        var headerBytes: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headerList, index, &name, &headerBytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerBytes.map { bytes($0, size) }))
            index += 1
        }
    }

    private var topicNames: [OpaquePointer: String] = [:]
    private let buffers: BatchBufferPool?
    private let readsHeaders: Bool

    /// - Parameters:
    ///   - buffers: where batch buffers come from; without one each is allocated.
    ///   - readsHeaders: false leaves every message's headers empty, unparsed.
    init(buffers: BatchBufferPool? = nil, readsHeaders: Bool = true) {
        self.buffers = buffers
        self.readsHeaders = readsHeaders
    }

    /// Converts a batch, copying all keys and values into one buffer.
    mutating func convert(_ messages: [RDKafkaMessagePointer]) -> KafkaConsumerBatch {
        var total = 0
        for message in messages { total += message.pointee.len + (message.pointee.key == nil ? 0 : message.pointee.key_len) }
        var bytes = BatchBytes(capacity: total, pool: buffers)
        var records: [BatchContents.Record] = []
        records.reserveCapacity(messages.count)
        var topics: [String] = []
        var headers: [KafkaHeader] = []
        var last: (handle: OpaquePointer, index: Int32)?
        for message in messages {
            let raw = message.pointee
            let topic: Int32
            if let last, last.handle == raw.rkt {
                topic = last.index
            } else {
                let name = topicName(raw.rkt)
                topic = Int32(topics.firstIndex(of: name) ?? topics.endIndex)
                if topic == topics.endIndex { topics.append(name) }
                last = (raw.rkt, topic)
            }
            let keyStart = raw.key.map { bytes.append($0, raw.key_len) }
            let valueStart = raw.payload.map { bytes.append($0, raw.len) } ?? 0
            let firstHeader = headers.endIndex
            if readsHeaders { Self.appendHeaders(of: message, to: &headers) }
            var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let timestamp = rd_kafka_message_timestamp(message, &timestampType)
            records.append(BatchContents.Record(
                topic: topic, partition: raw.partition, offset: raw.offset,
                keyStart: keyStart ?? 0, keyCount: keyStart == nil ? -1 : raw.key_len,
                valueStart: valueStart, valueCount: raw.payload == nil ? 0 : raw.len,
                timestamp: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? BatchContents.Record.noTimestamp : timestamp,
                headers: firstHeader..<headers.endIndex))
        }
        return KafkaConsumerBatch(BatchContents(bytes: bytes.storage, records: records, topics: topics, headers: headers))
    }

    private mutating func topicName(_ handle: OpaquePointer) -> String {
        if let cached = topicNames[handle] { return cached }
        let name = String(cString: rd_kafka_topic_name(handle))
        topicNames[handle] = name
        return name
    }
}

/// One delivery report, as the delivery-report callback receives it: valid only during the
/// callback. Reading `isDelivered` costs nothing more than the C field; the rest is read only
/// when needed (a `send`'s receipt, a batch's failures).
struct RDKafkaDeliveryReport {
    private let message: UnsafePointer<rd_kafka_message_t>

    init(_ message: UnsafePointer<rd_kafka_message_t>) {
        self.message = message
    }

    var isDelivered: Bool { message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR }

    /// What the producer should report: the receipt, or why the message was not delivered
    /// (`fatal` gives the client's fatal error, which librdkafka keeps apart).
    func result(fatal: () -> KafkaError) -> Result<KafkaDeliveryReceipt, KafkaError> {
        let topic = String(cString: rd_kafka_topic_name(message.pointee.rkt))
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR_NO_ERROR {
            return .success(KafkaDeliveryReceipt(
                topicPartition: TopicPartition(topic: topic, partition: message.pointee.partition),
                offset: KafkaOffset(message.pointee.offset)))
        }
        return .failure(code == RD_KAFKA_RESP_ERR__FATAL ? fatal() : KafkaError.rdKafka(code, operation: "send to topic \(topic)"))
    }

    /// The message that failed, rebuilt from librdkafka's copy, with its error.
    func failure(fatal: () -> KafkaError) -> KafkaBatchReport.Failure {
        let failed = KafkaProducerMessage(reportedBy: message)
        let code = message.pointee.err
        return KafkaBatchReport.Failure(
            message: failed,
            error: code == RD_KAFKA_RESP_ERR__FATAL ? fatal() : KafkaError.rdKafka(code, operation: "send to topic \(failed.topic)"))
    }
}

extension KafkaProducerMessage {
    /// The message as librdkafka reports it back (its own copy of key, value and headers).
    init(reportedBy message: UnsafePointer<rd_kafka_message_t>) {
        let raw = message.pointee
        var headers: [KafkaHeader] = []
        MessageConverter.appendHeaders(of: message, to: &headers)
        self.init(
            topic: String(cString: rd_kafka_topic_name(raw.rkt)),
            key: raw.key.map { MessageConverter.bytes($0, raw.key_len) },
            value: raw.payload.map { MessageConverter.bytes($0, raw.len) } ?? [],
            headers: headers, partition: raw.partition >= 0 ? raw.partition : nil)
    }
}
