@testable import Directory
import Testing

/// `PlaceKey`'s ASCII path must give the key Foundation's folding gives, for every name it
/// takes (it takes nearly all of them, so a difference would split one place in two).
@Suite struct PlaceKeyASCIITests {
    @Test("the ASCII path agrees with the Unicode path on listed names", arguments: [
        "St. Louis", "Lee's Summit", "Winston-Salem", "Ste. Genevieve", "Ft. Leonard Wood", "Mt. Vernon", "  Kansas   City ",
        "O'Fallon", "Town & Country", "1st Street", "", "---", "ST", "st.louis", "Coeur d'Alene", "Carl Junction\t", "a_b", "X/Y (Z)",
    ])
    func listedNames(name: String) {
        #expect(PlaceKey.asciiKey(name) == PlaceKey.unicodeKey(name))
    }

    @Test func everyPrintableCharacterAndRandomNames() {
        for byte in UInt8(0x01)...UInt8(0x7f) {
            let name = "a\(Character(Unicode.Scalar(byte)))b st"
            #expect(PlaceKey.asciiKey(name) == PlaceKey.unicodeKey(name), "byte \(byte)")
        }
        var state: UInt64 = 0x5eed
        let alphabet = Array("abcXYZ09 .'-,stSTftmteSTE".utf8)
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            for _ in 0..<12 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let name = String(decoding: bytes, as: UTF8.self)
            #expect(PlaceKey.asciiKey(name) == PlaceKey.unicodeKey(name), "\(name)")
        }
    }

    @Test func nonASCIINamesTakeTheUnicodePath() {
        #expect(PlaceKey.asciiKey("Española") == nil)
        #expect(PlaceKey("Española") == PlaceKey("ESPANOLA"))
        #expect(PlaceKey("Lee\u{2019}s Summit") == PlaceKey("Lees Summit"))
    }
}
