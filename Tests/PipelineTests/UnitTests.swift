import Contracts
import Foundation
import Kafka
import Notifications
import Pipeline
import ServiceKit
import TestSupport
import Testing

@Suite struct UnitTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000)).count == 64)
    }

    @Test func notificationIdsAreDeterministic() {
        let a = BusNotification.id(sourceEventId: "E1", rule: "r", scope: "s", recipient: .officer("O1"))
        #expect(a == BusNotification.id(sourceEventId: "e1", rule: "r", scope: "s", recipient: .officer("O1")))
        #expect(a != BusNotification.id(sourceEventId: "E1", rule: "r", scope: "s", recipient: .agency("O1")))
        #expect(a != BusNotification.id(sourceEventId: "E1", rule: "r2", scope: "s", recipient: .officer("O1")))
        #expect(UUID(uuidString: a) != nil)
    }

    @Test func arrivalOrderMergesPartitionsByTimestampKeepingPartitionOrder() {
        func message(_ topic: String, _ offset: Int64, _ time: Int64) -> KafkaConsumerMessage {
            KafkaConsumerMessage(topicPartition: TopicPartition(topic: topic, partition: 0), offset: KafkaOffset(offset), key: nil, value: [],
                                 timestampMilliseconds: time)
        }
        let batch = [message("a", 0, 10), message("a", 1, 30), message("b", 0, 20), message("a", 2, 25), message("b", 1, 40)]
        let merged = ArrivalOrder.merged(batch).map { "\($0.topic)\($0.offset)" }
        // a2 (25) stays after a1 (30): a partition's order is never changed.
        #expect(merged == ["a0", "b0", "a1", "a2", "b1"])
    }

    @Test func recipientsParse() {
        #expect(Recipient("officer:PP-KC-118") == .officer("PP-KC-118"))
        #expect(Recipient("agency:police:MO:Kansas City") == .agency("police:MO:Kansas City"))
        #expect(Recipient("PP-KC-118") == nil)
    }
}
