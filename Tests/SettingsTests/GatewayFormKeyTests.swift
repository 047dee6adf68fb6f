import Foundation
import Settings
import Testing

/// The web UI's form key: a file of its own named by `gateway.form-key-file`,
/// `REENTRYBUS_GATEWAY_FORM_KEY_FILE` or `--form-key-file`; at least 32 bytes; never printed.
@Suite("The gateway's form key and revocation settings") struct GatewayFormKeyTests {
    @Test("a key file from the file, the environment or a flag gives the same key; the report names the file, never the key")
    func keyFromEachLayer() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("form-key", distinctiveNotificationKey + "\n")
        let expected = try GatewayFormKey(text: distinctiveNotificationKey).bytes
        #expect(expected.count == 34)
        let fromFile = try resolve(file: "gateway:\n  form-key-file: \(path)\n", in: scratch)
        let fromEnvironment = try resolve(in: scratch, environment: ["REENTRYBUS_GATEWAY_FORM_KEY_FILE": path])
        let fromFlag = try resolve(in: scratch) { $0.set(.gatewayFormKeyFile, path, flag: "--form-key-file") }
        for configuration in [fromFile, fromEnvironment, fromFlag] {
            #expect(configuration.gateway.formKey?.bytes == expected)
            #expect(configuration.report.contains(path))
            #expect(!configuration.report.contains(distinctiveNotificationKey))
            #expect(!"\(configuration.gateway)".contains(distinctiveNotificationKey))
            var dumped = ""
            dump(configuration.gateway.formKey, to: &dumped)
            #expect(dumped.contains(Secret.mask) && !dumped.contains("elements"), "the key's bytes are not reflected: \(dumped)")
        }
        #expect(fromFlag.source(of: .gatewayFormKeyFile) == .flag("--form-key-file"))
        // Base64 is read too.
        let base64 = try scratch.write("form-key.b64", Data(expected).base64EncodedString())
        #expect(try resolve(in: scratch, environment: ["REENTRYBUS_GATEWAY_FORM_KEY_FILE": base64]).gateway.formKey?.bytes == expected)
    }

    @Test("no key file: no key (the UI makes one per process), and the report says forms are bound to the process")
    func noKeyByDefault() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let configuration = try resolve(in: scratch)
        #expect(configuration.gateway.formKey == nil)
        #expect(configuration.gateway.maxRevokedTokens == 100_000)
        #expect(configuration.report.contains("form-key-file: none (a random key per process"))
    }

    @Test("a key under 32 bytes, a missing, empty or non-key file is refused, naming the setting and the file but not the text")
    func badKeysAreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let short = try scratch.write("short", String(distinctiveNotificationKey.prefix(62)))  // 31 bytes
        let garbage = try scratch.write("garbage", distinctiveSecret)
        let empty = try scratch.write("empty", "\n")
        let cases: [(path: String, says: String)] = [
            (short, "31 bytes; the form key needs at least 32"), (garbage, "neither hex nor base64"), (empty, "is empty"),
            (scratch.path("missing"), "cannot be read"),
        ]
        for (path, says) in cases {
            let error = try #require(resolutionError(in: scratch, environment: ["REENTRYBUS_GATEWAY_FORM_KEY_FILE": path]))
            let message = "\(error)"
            #expect(message.contains("gateway.form-key-file"), "\(message)")
            #expect(message.contains("REENTRYBUS_GATEWAY_FORM_KEY_FILE"), "\(message)")
            #expect(message.contains(path), "\(message)")
            #expect(message.contains(says), "\(message)")
            #expect(!message.contains(distinctiveSecret) && !message.contains("5ec7e7"), "\(message)")
        }
    }

    @Test("gateway.max-revoked-tokens: a whole number from 1 to 10,000,000")
    func maxRevokedTokens() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try resolve(file: "gateway:\n  max-revoked-tokens: 5000\n", in: scratch).gateway.maxRevokedTokens == 5_000)
        #expect(try resolve(in: scratch, environment: ["REENTRYBUS_GATEWAY_MAX_REVOKED_TOKENS": "7"]).gateway.maxRevokedTokens == 7)
        for bad in ["0", "-1", "1.5", "many", "10000001"] {
            let error = try #require(resolutionError(in: scratch, environment: ["REENTRYBUS_GATEWAY_MAX_REVOKED_TOKENS": bad]))
            #expect("\(error)".contains("gateway.max-revoked-tokens"))
        }
    }
}
