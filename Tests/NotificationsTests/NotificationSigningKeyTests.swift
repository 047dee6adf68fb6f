import Foundation
import Testing

@testable import Notifications

@Suite struct NotificationSigningKeyTests {
    static let hex = String(repeating: "0123456789abcdef", count: 4)  // 32 bytes

    @Test func acceptsThirtyTwoBytesOrMore() throws {
        #expect(throws: NotificationSigningKeyError.tooShort(length: 31)) { try NotificationSigningKey(bytes: [UInt8](repeating: 7, count: 31)) }
        _ = try NotificationSigningKey(bytes: [UInt8](repeating: 7, count: 32))
        _ = try NotificationSigningKey(bytes: [UInt8](repeating: 7, count: 64))
    }

    @Test func readsHexAndBase64() throws {
        let bytes = NotificationSigningKey.bytes(hex: Self.hex)!
        let fromHex = try NotificationSigningKey(text: " \(Self.hex.uppercased())\n")
        let fromBase64 = try NotificationSigningKey(text: Data(bytes).base64EncodedString())
        #expect(fromHex.bytes == bytes)
        #expect(fromBase64.bytes == bytes)
        #expect(fromHex.id == fromBase64.id)
    }

    @Test func refusesTextThatIsNotAKeyNamingTheProblem() {
        #expect(throws: NotificationSigningKeyError.empty) { try NotificationSigningKey(text: "  ") }
        #expect(throws: NotificationSigningKeyError.oddHexLength(digits: 63)) { try NotificationSigningKey(text: String(Self.hex.dropLast())) }
        #expect(throws: NotificationSigningKeyError.notHexOrBase64) { try NotificationSigningKey(text: "not a key!") }
        #expect(throws: NotificationSigningKeyError.tooShort(length: 16)) { try NotificationSigningKey(text: String(Self.hex.prefix(32))) }
        #expect(throws: NotificationSigningKeyError.tooShort(length: 6)) { try NotificationSigningKey(text: "c2VjcmV0") }  // base64 of "secret"
        #expect(NotificationSigningKeyError.tooShort(length: 16).description.contains("at least 32"))
    }

    @Test func isNeverPrinted() throws {
        let key = try NotificationSigningKey(text: Self.hex)
        #expect(key.description == "<redacted>")
        #expect("\(key)" == "<redacted>")
        #expect(!String(reflecting: key).contains(Self.hex))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("bytes"))
        #expect(!dumped.contains("171"))  // 0xab, a byte of the key
        #expect(dumped.contains(key.id))
    }

    @Test func randomKeysDifferAndIdsAreStable() throws {
        let a = NotificationSigningKey.random()
        let b = NotificationSigningKey.random()
        #expect(a.bytes.count == 32)
        #expect(a.bytes != b.bytes)
        #expect(a.id != b.id)
        #expect(try NotificationSigningKey(bytes: a.bytes).id == a.id)
        #expect(a.id.count == 16)
    }
}
