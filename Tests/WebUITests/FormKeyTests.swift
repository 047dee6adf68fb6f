import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WebUI

/// Gateways behind one address without sticky sessions: a form made by one instance is posted
/// to another. With the same form key (`gateway.form-key-file`) they accept each other's
/// tokens; with different keys (each its own random one, the default) they do not.
@Suite struct FormKeyTests {
    static let key = [UInt8](repeating: 0x5A, count: 32)
    static let otherKey = [UInt8](repeating: 0xA5, count: 32)

    @Test("two UI instances with the same form key accept each other's form tokens; with another key, or none, they refuse them")
    func instancesShareTheFormKey() async throws {
        let issuer = TestIssuer()
        let first = try await UIHarness(issuer: issuer, ui: WebUIConfiguration(formKey: Self.key))
        let same = try await UIHarness(issuer: issuer, ui: WebUIConfiguration(formKey: Self.key))
        let other = try await UIHarness(issuer: issuer, ui: WebUIConfiguration(formKey: Self.otherKey))
        let random = try await UIHarness(issuer: issuer)
        let notification = arrest(minute: 1)
        for harness in [same, other, random] { try await harness.store([notification]) }
        let token = try await issuer.token()
        try await first.test { firstClient in
            // The token of a page the first instance made, as the browser holds it.
            let csrf = try await sessionCSRF(firstClient, session: token)
            for (harness, accepted) in [(same, true), (other, false), (random, false)] {
                try await harness.test { client in
                    let (headers, body) = form([("csrf", csrf)], cookies: cookies(session: token))
                    let response = try await client.execute(uri: "/ui/notifications/\(notification.id)/ack", method: .post, headers: headers, body: body)
                    #expect(response.status == (accepted ? .seeOther : .forbidden))
                    if !accepted { #expect(text(response).contains("The form had expired")) }
                }
            }
        }
        #expect(same.sink.sent.count == 1)
        #expect(other.sink.sent.isEmpty && random.sink.sent.isEmpty)
    }

    @Test("a form key under 32 bytes is refused when the UI is made")
    func shortKeyIsRefused() throws {
        #expect(throws: WebUISetupError.self) { try WebUI(configuration: WebUIConfiguration(formKey: Array(Self.key.prefix(31)))) }
        _ = try WebUI(configuration: WebUIConfiguration(formKey: Self.key))
    }
}
