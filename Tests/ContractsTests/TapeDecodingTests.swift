@testable import Contracts
import Foundation
import Testing

/// Events are decoded straight from their bytes (`JSONTapeDecoder`); the tree (`JSONValueDecoder`)
/// decodes what the tape leaves to it and explains every failure. These tests hold the two to
/// the same results, and check that events really take the fast path.
struct TapeDecodingTests {
    static let catalog = try! TopicCatalog.load(from: repositoryTopics)

    /// The tape's and the tree's decoding of `bytes` as `Payload`'s event; the tape's is nil
    /// when it left the document to the tree.
    func bothWays<Payload: EventPayload>(_ type: Payload.Type, _ bytes: [UInt8]) throws -> (tape: EventEnvelope<Payload>?, tree: EventEnvelope<Payload>) {
        (JSONTapeDecoder.decode(EventEnvelope<Payload>.self, from: bytes), try EventCodec.decode(type, from: JSONValue(parsing: bytes)))
    }

    func agree<Payload: EventPayload>(_ type: Payload.Type, _ bytes: [UInt8], _ name: String) throws {
        let (tape, tree) = try bothWays(type, bytes)
        #expect(tape != nil, "\(name): left to the tree")
        #expect(tape == tree, "\(name)")
    }

    @Test("every valid example of every event decodes from its bytes to what the tree decodes")
    func examplesTakeTheTape() throws {
        let checked = try forEachValidEventExample(in: Self.catalog) { type, bytes, name in try agree(type, bytes, name) }
        #expect(checked >= 34)
    }

    /// The release example as text, with `edit` applied to it.
    func release(_ edit: (String) -> String = { $0 }) throws -> [UInt8] {
        let example = try #require(Self.catalog.event(type: ReleaseScheduled.eventType, version: 1)?.validExamples.first)
        return Array(edit(example.description).utf8)
    }

    @Test("whitespace, escapes in values, upper-case ids, offsets and nulls read the same both ways")
    func spellingsAgree() throws {
        let example = try release()
        let text = String(decoding: example, as: UTF8.self)
        try agree(ReleaseScheduled.self, Self.spacedOut(example), "whitespace")
        // An escaped letter in a value (the tape keeps it as an escaped string).
        let escaped = text.replacingOccurrences(of: #""facilityId":"MO-"#, with: #""facilityId":"\u004dO-"#)
        #expect(escaped != text)
        try agree(ReleaseScheduled.self, Array(escaped.utf8), "escaped value")
        let upper = try #require(JSONValue(parsing: example)["eventId"].flatMap { if case .string(let id) = $0 { id } else { nil } })
        try agree(ReleaseScheduled.self, Array(text.replacingOccurrences(of: upper, with: upper.uppercased()).utf8), "upper-case id")
        let withNull = text.replacingOccurrences(of: #""eventId""#, with: #""correlationId":null,"eventId""#)
        try agree(ReleaseScheduled.self, Array(withNull.utf8), "null optional")
    }

    /// `json` with whitespace around every structural character outside strings.
    static func spacedOut(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\n")]
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"):
                out += [UInt8(ascii: " "), byte, UInt8(ascii: "\n"), UInt8(ascii: "\t")]
            default:
                out.append(byte)
            }
        }
        return out + Array(" \r\n".utf8)
    }

    @Test("documents the tape does not read are left to the tree, which decodes or explains them")
    func theTreeTakesTheRest() throws {
        let text = String(decoding: try release(), as: UTF8.self)
        let refused: [(String, String)] = [
            ("byte order mark", "\u{FEFF}" + text),
            ("escaped member name", text.replacingOccurrences(of: #""eventId""#, with: #""event\u0049d""#)),
            ("repeated member", text.replacingOccurrences(of: #""eventId""#, with: #""schemaVersion":1,"eventId""#)),
            ("not JSON", String(text.dropLast())),
            ("trailing bytes", text + " x"),
        ]
        for (name, document) in refused {
            #expect(JSONTapeDecoder.decode(EventEnvelope<ReleaseScheduled>.self, from: Array(document.utf8)) == nil, "\(name)")
        }
        // The tree still decodes what it accepts (an escaped name, a byte order mark) …
        #expect(try EventCodec.decode(ReleaseScheduled.self, from: Array(refused[1].1.utf8)).eventType == ReleaseScheduled.eventType)
        #expect(try EventCodec.decode(ReleaseScheduled.self, from: Array(refused[0].1.utf8)).eventType == ReleaseScheduled.eventType)
        // … and names the fault of what it does not.
        #expect(throws: EventCodingError.self) { try EventCodec.decode(ReleaseScheduled.self, from: Array(refused[2].1.utf8)) }
        do {
            _ = try EventCodec.decode(ReleaseScheduled.self, from: Array(refused[2].1.utf8))
        } catch {
            #expect(error.reason.contains("schemaVersion"), "\(error.reason)")
        }
    }

    @Test("a failure on the tape gives the tree's error, with its path")
    func failuresKeepTheirPath() throws {
        let text = String(decoding: try release(), as: UTF8.self)
        let broken = text.replacingOccurrences(of: #""facilityId":"#, with: #""facilityId":7,"was":"#)
        #expect(JSONTape.read(Array(broken.utf8), limits: .events) != nil)  // the tape reads it; decoding fails
        do {
            _ = try EventCodec.decode(ReleaseScheduled.self, from: Array(broken.utf8))
            Issue.record("decoded a facility id that is a number")
        } catch {
            #expect(error.reason == "cannot be decoded: $.payload.facility.facilityId has the wrong type")
        }
    }

    @Test("objects with more members than the tape compares, and deep nesting, go to the tree")
    func limits() throws {
        let wide = "{" + (0...JSONTape.maxMembersCompared).map { #""m\#($0)":\#($0)"# }.joined(separator: ",") + "}"
        #expect(JSONTape.read(Array(wide.utf8), limits: .events) == nil)
        let decoded = try EventCodec.decodeJSON([String: Int].self, from: Array(wide.utf8))
        #expect(decoded.count == JSONTape.maxMembersCompared + 1 && decoded["m7"] == 7)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(JSONTape.read(Array(deep.utf8), limits: .events) == nil)
        let shallow = String(repeating: "[", count: 3) + "1.5,-2,true,null" + String(repeating: "]", count: 3)
        #expect(try EventCodec.decodeJSON([[[JSONNumberProbe]]].self, from: Array(shallow.utf8)) == [[[.double(1.5), .int(-2), .bool(true), .null]]])
    }

    /// Reads any scalar, to see numbers, booleans and null come off the tape as they are.
    enum JSONNumberProbe: Decodable, Equatable {
        case double(Double), int(Int), bool(Bool), null
        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() { self = .null } else if let int = try? value.decode(Int.self) { self = .int(int) } else if let bool = try? value.decode(Bool.self) {
                self = .bool(bool)
            } else { self = .double(try value.decode(Double.self)) }
        }
    }

    @Test("ids are read from their bytes in either case; other spellings are Foundation's to judge")
    func ids() throws {
        let id = UUID()
        let lower = id.uuidString.lowercased()
        for text in [lower, id.uuidString] {
            #expect(try EventCodec.decodeJSON([UUID].self, from: Array("[\"\(text)\"]".utf8)) == [id])
        }
        for bad in [String(lower.dropLast()), lower.replacingOccurrences(of: "-", with: "x"), "{\(lower)}"] {
            #expect(throws: (any Error).self) { try EventCodec.decodeJSON([UUID].self, from: Array("[\"\(bad)\"]".utf8)) }
        }
    }
}
