import Kafka

/// Puts what a replay reads back in the order the service met it: by Kafka timestamp across
/// partitions, each partition in its own order.
///
/// A running service reads its topics as they are written, so it applies events roughly in the
/// order they were produced; some rules depend on it (the agency directory read before a
/// release names the police to tell). A reader of whole topics hands partitions over in
/// whatever order the broker's fetches come back — a whole partition can come before another
/// starts. This merge holds messages back until every partition still to be read has one
/// waiting, and always lets the earliest (by timestamp; ties in the order they came) go first,
/// so the replay applies events in the order the running service did, as far as timestamps
/// tell it. At most `window` messages wait; past it the earliest goes anyway (memory stays
/// bounded, order is then only approximate), and `drain()` lets everything go when the reader
/// has read all it will.
struct ReplayMerge {
    private struct Head: Comparable {
        var timestamp: Int64
        var arrival: Int
        var partition: TopicPartition

        static func < (lhs: Head, rhs: Head) -> Bool {
            (lhs.timestamp, lhs.arrival) < (rhs.timestamp, rhs.arrival)
        }
    }

    private var queues: [TopicPartition: [(message: KafkaConsumerMessage, arrival: Int)]] = [:]
    private var next: [TopicPartition: Int] = [:]
    private var heads = MinHeap<Head>()
    /// Partitions whose messages are not all in yet.
    private var unfinished: Set<TopicPartition>
    /// Unfinished partitions with nothing waiting: nothing can go before they have.
    private var empty: Set<TopicPartition>
    private var arrivals = 0
    private(set) var waiting = 0
    let window: Int

    /// - Parameter partitions: those with messages still to come.
    init(partitions: some Sequence<TopicPartition>, window: Int) {
        unfinished = Set(partitions)
        empty = unfinished
        self.window = max(1, window)
    }

    mutating func add(_ message: KafkaConsumerMessage) {
        let partition = message.topicPartition
        var queue = queues.removeValue(forKey: partition) ?? []
        if (next[partition] ?? 0) >= queue.count {
            queue.removeAll(keepingCapacity: true)
            next[partition] = 0
            heads.push(Head(timestamp: message.timestampMilliseconds ?? 0, arrival: arrivals, partition: partition))
            empty.remove(partition)
        }
        queue.append((message, arrivals))
        queues[partition] = queue
        arrivals += 1
        waiting += 1
    }

    /// Every message of `partition` is in.
    mutating func finished(_ partition: TopicPartition) {
        unfinished.remove(partition)
        empty.remove(partition)
    }

    /// The messages that may go now, in order.
    mutating func ready() -> [KafkaConsumerMessage] {
        take(all: false)
    }

    /// Everything waiting, in order (nothing more will come).
    mutating func drain() -> [KafkaConsumerMessage] {
        take(all: true)
    }

    private mutating func take(all: Bool) -> [KafkaConsumerMessage] {
        var result: [KafkaConsumerMessage] = []
        while all || empty.isEmpty || waiting > window, let head = heads.popMin() {
            let partition = head.partition
            let index = next[partition, default: 0]
            let queue = queues[partition]!
            result.append(queue[index].message)
            waiting -= 1
            if index + 1 < queue.count {
                next[partition] = index + 1
                let following = queue[index + 1]
                heads.push(Head(timestamp: following.message.timestampMilliseconds ?? 0, arrival: following.arrival, partition: partition))
                if index + 1 >= 4_096, 2 * (index + 1) > queue.count {
                    // Drop what went, so a long queue does not keep it.
                    queues[partition] = Array(queue[(index + 1)...])
                    next[partition] = 0
                }
            } else {
                queues[partition] = []
                next[partition] = 0
                if unfinished.contains(partition) { empty.insert(partition) }
            }
        }
        return result
    }
}

/// A binary min-heap.
struct MinHeap<Element: Comparable> {
    private var elements: [Element] = []

    var isEmpty: Bool { elements.isEmpty }

    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let minimum = elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < elements.count, elements[left] < elements[smallest] { smallest = left }
            if right < elements.count, elements[right] < elements[smallest] { smallest = right }
            guard smallest != parent else { break }
            elements.swapAt(parent, smallest)
            parent = smallest
        }
        return minimum
    }
}
