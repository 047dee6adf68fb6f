/// The messages of a `KafkaConsumer`, batch by batch. Asking for the next batch marks the
/// previous one as processed.
public struct KafkaConsumerBatches: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerBatch
    public typealias Failure = KafkaError

    let buffer: ConsumerBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: ConsumerBuffer

        public mutating func next() async throws(KafkaError) -> KafkaConsumerBatch? {
            try await buffer.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}

/// The messages of a `KafkaConsumer`, one at a time. Asking for the next message marks the
/// previous one as processed.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    public typealias Failure = KafkaError

    let batches: KafkaConsumerBatches

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: KafkaConsumerBatches.AsyncIterator
        var current: KafkaConsumerBatch?
        var index = 0

        public mutating func next() async throws(KafkaError) -> KafkaConsumerMessage? {
            while true {
                if let current, index < current.count {
                    defer { index += 1 }
                    return current[index]
                }
                guard let batch = try await batches.buffer.next() else { return nil }
                current = batch
                index = 0
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(batches: batches.makeAsyncIterator())
    }
}
