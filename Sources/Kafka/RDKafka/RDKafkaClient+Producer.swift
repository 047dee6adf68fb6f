import CRdKafka

/// The producer's calls: topic handles, enqueueing, serving delivery reports, purging.
extension RDKafkaClient {
    /// What became of one attempt to enqueue a message.
    enum ProduceResult {
        /// librdkafka took the message (and the opaque pointer, which comes back in its report).
        case enqueued
        /// The local queue is full; the caller still owns the opaque pointer.
        case queueFull
        /// librdkafka refused the message; the caller still owns the opaque pointer.
        case failed(KafkaError)
    }

    /// The topic handle for `name`, created on first use and cached until `destroy()`. Call only
    /// while the client is in use (the producer holds its lifecycle lock).
    func topic(named name: String) throws(KafkaError) -> OpaquePointer {
        let handle = topics.withLock { topics -> OpaquePointer? in
            if let handle = topics[name] { return handle }
            let handle = rd_kafka_topic_new(self.handle, name, nil)
            topics[name] = handle
            return handle
        }
        guard let handle else { throw KafkaError.rdKafka(rd_kafka_last_error(), operation: "open topic \(name)") }
        return handle
    }

    /// Hands one message to librdkafka, which copies key, value and headers; does not block.
    /// On `.enqueued`, `opaque` (a `DeliveryRecipient`) travels with the message to the
    /// delivery-report callback; otherwise the caller still owns it.
    func produce(
        _ message: KafkaProducerMessage, topic: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) -> ProduceResult {
        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.key, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    rd_kafka_header_add(headers, header.key, -1, nil, 0)
                }
            }
        }
        let code = message.value.withUnsafeBytes { value in
            Self.withKeyBytes(message.key) { key in
                reentrybus_produce(
                    handle, topic, message.partition ?? -1,
                    key?.baseAddress, key?.count ?? 0,
                    value.baseAddress, value.count, headers, opaque)
            }
        }
        if code == RD_KAFKA_RESP_ERR_NO_ERROR { return .enqueued }
        if let headers { rd_kafka_headers_destroy(headers) }
        switch code {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            return .queueFull
        case RD_KAFKA_RESP_ERR__DESTROY:
            return .failed(KafkaError.closed("send to topic \(message.topic)"))
        case RD_KAFKA_RESP_ERR__FATAL:
            return .failed(fatalError(operation: "send to topic \(message.topic)"))
        default:
            return .failed(KafkaError.rdKafka(code, operation: "send to topic \(message.topic)"))
        }
    }

    /// Serves delivery reports and other callbacks, blocking up to `timeoutMilliseconds` for the
    /// first (0: returns at once); returns how many events were served.
    func poll(timeoutMilliseconds: Int32) -> Int {
        Int(rd_kafka_poll(handle, timeoutMilliseconds))
    }

    /// Messages (and requests) not yet answered: queued, in flight or awaiting their report.
    var outQueueLength: Int { Int(rd_kafka_outq_len(handle)) }

    /// Removes every queued and in-flight message; each gets a `.purged` delivery report.
    func purgeAll() {
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
    }

    private static func withKeyBytes<R>(_ key: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let key else { return body(nil) }
        return key.withUnsafeBytes { body($0) }
    }
}
