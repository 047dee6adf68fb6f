import Testing

@testable import ServiceKit

/// FIPS 180-4 test vectors, fed whole, byte by byte and in uneven pieces (block boundaries).
@Suite struct SHA256Tests {
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ]

    @Test func standardVectors() {
        for (text, digest) in Self.vectors { #expect(SHA256.hex(text) == digest) }
    }

    @Test func piecesGiveTheSameDigest() {
        for (text, digest) in Self.vectors {
            let bytes = Array(text.utf8)
            var byByte = SHA256()
            for byte in bytes { byByte.update(AnySequence([byte])) }
            #expect(byByte.finalize().hexString == digest)
            var uneven = SHA256()
            var index = 0
            for size in [1, 7, 63, 64, 65] where index < bytes.count {
                let end = min(bytes.count, index + size)
                uneven.update(bytes[index..<end])
                index = end
            }
            uneven.update(bytes[index...])
            #expect(uneven.finalize().hexString == digest)
        }
    }

    @Test func millionAs() {
        var hash = SHA256()
        hash.update([UInt8](repeating: 0x61, count: 1_000_000))
        #expect(hash.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The ids services derive (notifications, ticks) must not change between versions: a
    /// replay or a redelivery after an upgrade derives the same id, which is how a notification
    /// is not sent twice. Pinned to values computed apart from this code (Python's hashlib:
    /// the digest's first 16 bytes, version 8 and the RFC 4122 variant set, 8-4-4-4-12).
    @Test func derivedUUIDsAreStable() {
        let pinned = [
            ("", "e3b0c442-98fc-8c14-9afb-f4c8996fb924"),
            ("abc", "ba7816bf-8f01-8fea-8141-40de5dae2223"),
            ("notification\u{0}b1f1ab36-d430-8d4f-91b2-1f587b58ffc4\u{0}supervisee-arrested\u{0}officer:PP-KC-118",
             "f019b579-aaa1-829c-ab4c-2d26d94ddf4c"),
            ("Zoë 東京", "1aa014ff-0456-8915-ad97-7b443809ed8a"),
        ]
        for (text, id) in pinned {
            #expect(SHA256.derivedUUID(text) == id, "\(text)")
        }
    }
}
