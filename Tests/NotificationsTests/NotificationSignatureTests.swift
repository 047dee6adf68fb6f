import Kafka
import Notifications
import ServiceKit
import Testing

@Suite struct NotificationSignatureTests {
    let key = NotificationSigningKey.random()
    let body = Array(#"{"id":"n-1","summary":"Your supervisee was arrested"}"#.utf8)

    private func reason(_ headers: [KafkaHeader], keys: [NotificationSigningKey]? = nil) -> String? {
        do {
            try NotificationSignature.verify(body, headers: headers, keys: keys ?? [key])
            return nil
        } catch { return error.reason }
    }

    @Test func aSignedBodyVerifies() {
        let headers = NotificationSignature.headers(signing: body, with: key)
        #expect(headers.map(\.key) == ["notification-key-id", "notification-signature"])
        #expect(headers[1].stringValue?.count == 64)
        #expect(reason(headers) == nil)
    }

    @Test func noSignatureIsMissing() {
        #expect(reason([])?.hasPrefix("notification signature missing") == true)
        #expect(reason([KafkaHeader(key: NotificationSignature.keyIdHeader, value: key.id)])?.hasPrefix("notification signature missing") == true)
    }

    @Test func aWrongSignatureIsInvalid() {
        let forged = [KafkaHeader(key: NotificationSignature.keyIdHeader, value: key.id),
                      KafkaHeader(key: NotificationSignature.signatureHeader, value: String(repeating: "ab", count: 32))]
        #expect(reason(forged)?.hasPrefix("notification signature invalid") == true)
        let notHex = [KafkaHeader(key: NotificationSignature.keyIdHeader, value: key.id),
                      KafkaHeader(key: NotificationSignature.signatureHeader, value: "stand down")]
        #expect(reason(notHex)?.hasPrefix("notification signature invalid") == true)
    }

    @Test func aSignatureByAnotherKeyIsInvalid() {
        let other = NotificationSigningKey.random()
        #expect(reason(NotificationSignature.headers(signing: body, with: other))?.hasPrefix("notification signature invalid") == true)
        // Another key's signature under this key's id.
        var claimed = NotificationSignature.headers(signing: body, with: other)
        claimed[0] = KafkaHeader(key: NotificationSignature.keyIdHeader, value: key.id)
        #expect(reason(claimed)?.hasPrefix("notification signature invalid") == true)
    }

    @Test func anAlteredBodyIsInvalid() throws {
        let headers = NotificationSignature.headers(signing: body, with: key)
        var altered = body
        altered[altered.count - 3] = UInt8(ascii: "X")
        #expect(throws: PoisonMessage.self) { try NotificationSignature.verify(altered, headers: headers, keys: [key]) }
    }

    @Test func bothKeysVerifyWhileOneReplacesTheOther() {
        let next = NotificationSigningKey.random()
        #expect(reason(NotificationSignature.headers(signing: body, with: key), keys: [key, next]) == nil)
        #expect(reason(NotificationSignature.headers(signing: body, with: next), keys: [key, next]) == nil)
    }

    @Test func aRepeatedHeaderIsInvalid() {
        let headers = NotificationSignature.headers(signing: body, with: key)
        #expect(reason(headers + [headers[1]])?.hasPrefix("notification signature invalid") == true)
    }
}
