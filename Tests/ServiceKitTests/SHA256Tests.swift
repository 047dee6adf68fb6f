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
}
