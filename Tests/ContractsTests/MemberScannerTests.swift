@testable import Contracts
import Testing

/// The validator reads an event's envelope and key with `MemberScanner`, which skips values by
/// their brackets and quotes alone and is trusted only for documents the byte validator passes.
/// On well-formed documents it must find exactly what the parser finds; on anything else it
/// must only never read outside the bytes.
struct MemberScannerTests {
    static let catalog = try! TopicCatalog.load(from: repositoryTopics)

    /// The value at `offset`, parsed.
    func value(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, limits: .events)
        parser.index = offset
        return try parser.parseValue()
    }

    func expectAgreement(_ text: String, _ name: String) throws {
        let document = try JSONValue(parsing: text)
        guard case .object(let members) = document else { return }
        try Array(text.utf8).withUnsafeBufferPointer { bytes in
            let scanner = MemberScanner(bytes: bytes)
            let names = members.keys.sorted()
            let offsets = try #require(scanner.valueOffsets(of: names.map { Array($0.utf8) }, inObjectAt: 0), "\(name)")
            for (member, offset) in zip(names, offsets) {
                let at = try #require(offset, "\(name): \(member) not found")
                #expect(try value(at: at, in: bytes) == members[member], "\(name): \(member)")
            }
            #expect(scanner.valueOffsets(of: [Array("noSuchMember".utf8)], inObjectAt: 0)?.first == .some(nil))
            if case .object(let subject)? = members["subject"], let stateId = subject["stateId"] {
                let at = try #require(scanner.valueOffset(atPath: [Array("subject".utf8), Array("stateId".utf8)]))
                #expect(try value(at: at, in: bytes) == stateId)
            }
        }
    }

    @Test("on every contract example it finds every member the parser finds")
    func examples() throws {
        var checked = 0
        for topic in Self.catalog.topics {
            for event in topic.events {
                for example in event.validExamples {
                    try expectAgreement(example.description, event.qualifiedName)
                    checked += 1
                }
            }
        }
        #expect(checked >= 34)
    }

    @Test("brackets, quotes and separators inside strings do not mislead it")
    func trickyStrings() throws {
        try expectAgreement(#"{"a":"x}\"],{","b" : [ {"c":"]"} , {} , "[" ],"d":-1.5e3,"e":true,"f":{"g":"h\\"},"h":null,"i":"é\u00e9"}"#, "tricky")
        try expectAgreement(" {\n\t\"only\" :\r\n 7 } ", "whitespace")
        try expectAgreement("{}", "empty")
    }

    @Test("on broken input it answers without reading past the end")
    func brokenInput() throws {
        let example = try #require(Self.catalog.event(type: ReleaseScheduled.eventType, version: 1)?.validExamples.first)
        let bytes = Array(example.description.utf8)
        let names = ["eventType", "schemaVersion", "eventId", "subject"].map { Array($0.utf8) }
        for cut in 0..<bytes.count {
            Array(bytes[..<cut]).withUnsafeBufferPointer { prefix in
                let scanner = MemberScanner(bytes: prefix)
                if let offsets = scanner.valueOffsets(of: names, inObjectAt: 0) {
                    for case let offset? in offsets { #expect(offset <= cut) }
                }
                _ = scanner.valueOffset(atPath: [names[3], Array("stateId".utf8)]).flatMap(scanner.string(at:))
            }
        }
        for junk in ["{\"a\":", "{\"a\"", "{\"\\", "{\"a\":[[[[", "{\"a\":\"\\", "{,", "[1]", ""] {
            Array(junk.utf8).withUnsafeBufferPointer { bytes in
                _ = MemberScanner(bytes: bytes).valueOffsets(of: names, inObjectAt: 0)
            }
        }
    }
}

extension MemberScanner {
    /// The offset of the value at a path of member names from the root object.
    func valueOffset(atPath path: [[UInt8]]) -> Int? {
        var offset = 0
        for name in path {
            guard let next = valueOffset(of: name, inObjectAt: offset) else { return nil }
            offset = next
        }
        return offset
    }
}
