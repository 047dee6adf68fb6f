@testable import Contracts
import Foundation
import Testing

/// A decoding error names the whole path from the root to the field, however deep, through
/// arrays, custom decoders and nested containers: the decoder builds no path while it decodes
/// and puts each container's key in front as the error leaves it.
struct DecodingPathTests {
    struct Inner: Decodable {
        var name: String
        var when: Date?
    }

    struct Outer: Decodable {
        var inner: Inner
        var list: [Inner]
    }

    /// Reads `{"a": {"b": "…"}}` through a nested container, as hand-written decoders do.
    struct Nested: Decodable {
        enum Keys: String, CodingKey { case a, b }
        init(from decoder: any Decoder) throws {
            let outer = try decoder.container(keyedBy: Keys.self)
            let inner = try outer.nestedContainer(keyedBy: Keys.self, forKey: .a)
            _ = try inner.decode(String.self, forKey: .b)
        }
    }

    struct HoldsNested: Decodable {
        var items: [Nested]
    }

    func failure<T: Decodable>(_ type: T.Type, _ json: String) -> String? {
        do {
            _ = try EventCodec.decodeJSON(type, from: Array(json.utf8))
            return nil
        } catch {
            return EventCodec.summary(of: error)
        }
    }

    @Test func pathsReachTheField() {
        #expect(failure(Outer.self, #"{"inner":{"name":1},"list":[]}"#) == "$.inner.name has the wrong type")
        #expect(failure(Outer.self, #"{"inner":{"name":"a"},"list":[{"name":"b"},{}]}"#) == "$.list[1].name is missing")
        #expect(failure(Outer.self, #"{"list":[]}"#) == "$.inner is missing")
        #expect(failure(Outer.self, #"{"inner":{"name":"a","when":"yesterday"},"list":[]}"#) == "$.inner.when: expected an RFC 3339 date-time")
        #expect(failure(Outer.self, #"{"inner":[],"list":[]}"#) == "$.inner has the wrong type")
        #expect(failure(Outer.self, #"{"inner":{"name":"a"},"list":[{"name":"b","when":"2025-03-03T14:00:00Z"}]}"#) == nil)
    }

    @Test func nestedContainersKeepTheirPath() {
        #expect(failure(HoldsNested.self, #"{"items":[{"a":{"b":"x"}},{"a":{}}]}"#) == "$.items[1].a.b is missing")
        #expect(failure(HoldsNested.self, #"{"items":[{"a":{"b":"x"}},{"a":{"b":true}}]}"#) == "$.items[1].a.b has the wrong type")
        #expect(failure(HoldsNested.self, #"{"items":[{"a":5}]}"#) == "$.items[0].a has the wrong type")
    }

    @Test func anEventsErrorNamesThePayloadField() throws {
        let catalog = try TopicCatalog.load(from: repositoryTopics)
        guard case .object(var event)? = catalog.event(type: ReleaseScheduled.eventType, version: 1)?.validExamples.first,
            case .object(var payload)? = event["payload"], case .object(var facility)? = payload["facility"]
        else {
            Issue.record("the release example has no payload.facility")
            return
        }
        facility["facilityId"] = nil
        payload["facility"] = .object(facility)
        event["payload"] = .object(payload)
        #expect(throws: EventCodingError.self) { try EventCodec.decode(ReleaseScheduled.self, from: JSONValue.object(event)) }
        do {
            _ = try EventCodec.decode(ReleaseScheduled.self, from: JSONValue.object(event))
        } catch {
            #expect(error.reason == "cannot be decoded: $.payload.facility.facilityId is missing")
        }
    }
}
