/// Mutates fuzz inputs the way simple fuzzers do, from a seeded generator so that a run can be
/// repeated: flips, inserts and deletes bytes, copies ranges, splices in another seed, and
/// inserts the punctuation the readers split on. The first byte (the target selector) is left
/// alone most of the time, so mutants stay with their target.
struct Mutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    static let tokens: [[UInt8]] = [
        Array("\"".utf8), Array(",".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("\r".utf8), Array("{".utf8), Array("}".utf8),
        Array("[".utf8), Array("]".utf8), Array(":".utf8), Array("\\".utf8), Array("\\u".utf8), Array("\\ud800".utf8), Array("\"\"".utf8),
        Array(",,".utf8), Array("null".utf8), Array("1e400".utf8), Array("-0".utf8), Array("0.0000001".utf8), Array("=".utf8),
        [0xEF, 0xBB, 0xBF], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xCC, 0x81], [0x00],
        Array("\"eventId\"".utf8), Array("\"payload\"".utf8), Array(":integer".utf8), Array(":json".utf8), Array("event-id=".utf8),
    ]

    mutating func mutate(_ input: inout [UInt8], corpus: [[UInt8]]) {
        for _ in 0...below(4) {
            let start = input.isEmpty ? 0 : 1
            let position = start + below(max(1, input.count - start + 1))
            switch below(8) {
            case 0 where input.count > start:  // flip a bit
                let i = start + below(input.count - start)
                input[i] ^= UInt8(1) << UInt8(below(8))
            case 1 where input.count > start:  // a random byte
                input[start + below(input.count - start)] = UInt8(truncatingIfNeeded: next())
            case 2 where input.count > start + 1:  // delete a range
                let i = start + below(input.count - start)
                input.removeSubrange(i..<min(input.count, i + 1 + below(16)))
            case 3:  // insert punctuation
                input.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: min(position, input.count))
            case 4 where input.count > start + 1:  // duplicate a range
                let i = start + below(input.count - start)
                let range = i..<min(input.count, i + 1 + below(64))
                input.insert(contentsOf: Array(input[range]), at: min(position, input.count))
            case 5:  // splice another seed's bytes
                let other = corpus[below(corpus.count)]
                if other.count > 1 {
                    let i = 1 + below(other.count - 1)
                    input.insert(contentsOf: other[i..<min(other.count, i + below(128))], at: min(position, input.count))
                }
            case 6 where !input.isEmpty:  // another target for the same bytes
                input[0] = UInt8(truncatingIfNeeded: next())
            default:  // truncate
                if input.count > start { input.removeSubrange(min(position, input.count)...) }
            }
        }
        if input.count > 64 * 1024 { input.removeSubrange((64 * 1024)...) }
    }
}
