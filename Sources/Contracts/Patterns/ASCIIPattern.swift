/// A `pattern` of the small ECMA-262 subset that contracts use, matched over the bytes of an
/// ASCII string without ICU.
///
/// Contracts check identifiers with patterns such as `^[A-Z]{2}-[A-Z0-9]+(-[A-Z0-9]+)*$` on
/// every event; running each through `NSRegularExpression` (bridging the string, then ICU) cost
/// more than the rest of the event's validation. This matcher handles anchors, literals,
/// classes (ranges, negation, `\d \w \s` and their complements), groups with alternation
/// and greedy quantifiers, by backtracking over the string's bytes, and is used only for ASCII
/// strings: there every character is one byte and ECMA-262 and ICU agree on every class.
/// Anything else (lookaround, back-references, lazy quantifiers, `\b`, `\p{…}`, non-ASCII in the
/// `.`, non-ASCII in the pattern) makes ``init(_:)`` return `nil`, and the pattern stays with ICU
/// (``JSONSchema/Pattern``), as does any string with a non-ASCII character.
///
/// Backtracking is bounded (``stepLimit``): a pattern and input that would need more steps
/// are handed to ICU, so the answer never depends on the bound.
struct ASCIIPattern: Sendable {
    /// A set of ASCII bytes, as a 128-bit map.
    struct ByteSet: Sendable, Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        @inline(__always) func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? (low >> UInt64(byte)) & 1 == 1 : byte < 128 && (high >> UInt64(byte - 64)) & 1 == 1
        }

        mutating func insert(_ byte: UInt8) {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }

        mutating func insert(_ range: ClosedRange<UInt8>) {
            for byte in range { insert(byte) }
        }

        mutating func formUnion(_ other: ByteSet) {
            low |= other.low
            high |= other.high
        }

        /// Whether a byte is in both sets.
        func overlaps(_ other: ByteSet) -> Bool { low & other.low != 0 || high & other.high != 0 }

        /// Every ASCII byte not in this set.
        var inverted: ByteSet { ByteSet(low: ~low, high: ~high) }

        static func of(_ text: String) -> ByteSet {
            var set = ByteSet()
            for byte in text.utf8 { set.insert(byte) }
            return set
        }

        static let digits: ByteSet = { var s = ByteSet(); s.insert(UInt8(ascii: "0")...UInt8(ascii: "9")); return s }()
        static let word: ByteSet = {
            var s = digits
            s.insert(UInt8(ascii: "A")...UInt8(ascii: "Z"))
            s.insert(UInt8(ascii: "a")...UInt8(ascii: "z"))
            s.insert(UInt8(ascii: "_"))
            return s
        }()
        /// ECMA-262's white space and line terminators within ASCII: tab, line feed, vertical
        /// tab, form feed, carriage return, space (ICU's `\s` has the same ASCII members).
        static let space: ByteSet = { var s = ByteSet(); s.insert(0x09...0x0D); s.insert(0x20); return s }()
    }

    indirect enum Atom: Sendable {
        case set(ByteSet)
        /// Alternatives, each a sequence of terms.
        case group([[Term]])
        case start
        case end
    }

    /// An atom repeated between `min` and `max` times (greedily).
    struct Term: Sendable {
        var atom: Atom
        var min = 1
        var max = 1
    }

    /// Steps of backtracking after which the match is left to ICU.
    static let stepLimit = 100_000

    let alternatives: [[Term]]
    /// Whether every match must start at the beginning (the pattern opens with `^` and has no
    /// top-level alternation), so the search tries only offset 0.
    let anchoredAtStart: Bool
    /// The same pattern as one left-to-right pass, when it allows one (``LinearPattern``): most
    /// contract patterns, which then match without backtracking or closures.
    let linear: LinearPattern?

    /// Compiles `source`; `nil` if it uses anything outside the subset.
    init?(_ source: String) {
        var parser = Parser(bytes: Array(source.utf8))
        guard let alternatives = parser.parseAlternatives(), parser.isAtEnd else { return nil }
        self.alternatives = alternatives
        if alternatives.count == 1, let first = alternatives[0].first, case .start = first.atom {
            anchoredAtStart = true
        } else {
            anchoredAtStart = false
        }
        linear = LinearPattern(alternatives)
    }

    /// Whether the pattern matches somewhere in `string`; `nil` when this matcher cannot say:
    /// the string is not ASCII, or the search would take more than ``stepLimit`` steps.
    func matches(_ string: String) -> Bool? {
        if let answer = string.utf8.withContiguousStorageIfAvailable({ matches(bytes: $0) }) { return answer }
        var contiguous = string
        return contiguous.withUTF8 { matches(bytes: $0) }
    }

    func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        for byte in bytes where byte >= 0x80 { return nil }
        if let linear { return linear.matches(bytes) }
        return backtrackingMatches(bytes)
    }

    /// The search by backtracking, for a pattern one pass cannot decide (and, in tests, to
    /// check ``LinearPattern`` against).
    func backtrackingMatches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var matcher = Matcher(bytes: bytes)
        let lastStart = anchoredAtStart ? 0 : bytes.count
        for start in 0...lastStart {
            if matcher.match(alternatives, at: start, then: { _ in true }) { return true }
            if matcher.steps > Self.stepLimit { return nil }
        }
        return matcher.steps > Self.stepLimit ? nil : false
    }

    // MARK: Matching

    private struct Matcher {
        let bytes: UnsafeBufferPointer<UInt8>
        var steps = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func match(_ alternatives: [[Term]], at position: Int, then next: (inout Matcher, Int) -> Bool) -> Bool {
            for sequence in alternatives where matchSequence(sequence, 0, at: position, then: next) { return true }
            return false
        }

        mutating func match(_ alternatives: [[Term]], at position: Int, then next: (Int) -> Bool) -> Bool {
            match(alternatives, at: position) { _, end in next(end) }
        }

        private mutating func matchSequence(
            _ terms: [Term], _ index: Int, at position: Int, then next: (inout Matcher, Int) -> Bool
        ) -> Bool {
            steps += 1
            if steps > ASCIIPattern.stepLimit { return false }
            guard index < terms.count else { return next(&self, position) }
            let term = terms[index]
            switch term.atom {
            case .start:
                return position == 0 && matchSequence(terms, index + 1, at: position, then: next)
            case .end:
                return position == bytes.count && matchSequence(terms, index + 1, at: position, then: next)
            case .set(let set):
                var count = 0
                while count < term.max, position + count < bytes.count, set.contains(bytes[position + count]) {
                    count += 1
                }
                guard count >= term.min else { return false }
                while true {
                    if matchSequence(terms, index + 1, at: position + count, then: next) { return true }
                    if count == term.min || steps > ASCIIPattern.stepLimit { return false }
                    count -= 1
                }
            case .group(let alternatives):
                return matchRepeat(alternatives, min: term.min, max: term.max, done: 0, at: position) { matcher, end in
                    matcher.matchSequence(terms, index + 1, at: end, then: next)
                }
            }
        }

        /// Greedy repetition of a group: one more iteration first, then what follows. An
        /// iteration that matches nothing once `min` is reached ends the loop (ECMA-262's rule).
        private mutating func matchRepeat(
            _ alternatives: [[Term]], min: Int, max: Int, done: Int, at position: Int,
            then next: (inout Matcher, Int) -> Bool
        ) -> Bool {
            if done < max {
                for sequence in alternatives {
                    let matched = matchSequence(sequence, 0, at: position) { matcher, end in
                        if end == position, done >= min { return false }
                        return matcher.matchRepeat(alternatives, min: min, max: max, done: done + 1, at: end, then: next)
                    }
                    if matched { return true }
                }
            }
            return done >= min && next(&self, position)
        }
    }

    // MARK: Parsing

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        var isAtEnd: Bool { index == bytes.count }

        private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        /// `a|b|…` up to the end or a closing parenthesis (left for the caller).
        mutating func parseAlternatives() -> [[Term]]? {
            var alternatives: [[Term]] = []
            while true {
                guard let sequence = parseSequence() else { return nil }
                alternatives.append(sequence)
                guard peek() == UInt8(ascii: "|") else { return alternatives }
                index += 1
            }
        }

        private mutating func parseSequence() -> [Term]? {
            var terms: [Term] = []
            while let byte = peek(), byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                guard byte < 0x80, var term = parseAtom() else { return nil }
                guard parseQuantifier(into: &term) else { return nil }
                terms.append(term)
            }
            return terms
        }

        private mutating func parseAtom() -> Term? {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "^"): return Term(atom: .start)
            case UInt8(ascii: "$"): return Term(atom: .end)
            case UInt8(ascii: "."): return nil  // ICU's `.` also stops at \v and \f, ECMA-262's does not
            case UInt8(ascii: "["): return parseClass().map { Term(atom: .set($0)) }
            case UInt8(ascii: "("):
                if peek() == UInt8(ascii: "?") {
                    // Only a non-capturing group; lookaround and named groups go to ICU.
                    guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") else { return nil }
                    index += 2
                }
                guard let alternatives = parseAlternatives(), peek() == UInt8(ascii: ")") else { return nil }
                index += 1
                return Term(atom: .group(alternatives))
            case UInt8(ascii: "\\"): return parseEscape(inClass: false).map { Term(atom: .set($0)) }
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                UInt8(ascii: "]"):
                return nil  // a quantifier with nothing to repeat, or a literal ECMA-262 allows only in Annex B
            default:
                var set = ByteSet()
                set.insert(byte)
                return Term(atom: .set(set))
            }
        }

        private mutating func parseQuantifier(into term: inout Term) -> Bool {
            guard let byte = peek() else { return true }
            switch byte {
            case UInt8(ascii: "?"): (term.min, term.max) = (0, 1)
            case UInt8(ascii: "*"): (term.min, term.max) = (0, .max)
            case UInt8(ascii: "+"): (term.min, term.max) = (1, .max)
            case UInt8(ascii: "{"):
                index += 1
                guard let min = parseNumber() else { return false }
                var max = min
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    if peek() == UInt8(ascii: "}") { max = .max } else {
                        guard let upper = parseNumber(), upper >= min else { return false }
                        max = upper
                    }
                }
                guard peek() == UInt8(ascii: "}") else { return false }
                (term.min, term.max) = (min, max)
            default:
                return true
            }
            index += 1
            if case .start = term.atom { return false }
            if case .end = term.atom { return false }
            // A lazy quantifier (`+?`) finds the same matches, but keep to the plainly greedy subset.
            return peek() != UInt8(ascii: "?")
        }

        private mutating func parseNumber() -> Int? {
            var value = 0
            var digits = 0
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 6 {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }

        /// A class after its `[`, through its `]`.
        private mutating func parseClass() -> ByteSet? {
            var negated = false
            if peek() == UInt8(ascii: "^") {
                negated = true
                index += 1
            }
            // `[]` and `[^]` are legal ECMA-262 with surprising meanings: leave them to ICU.
            guard peek() != UInt8(ascii: "]") else { return nil }
            var set = ByteSet()
            while let byte = peek(), byte != UInt8(ascii: "]") {
                guard byte < 0x80 else { return nil }
                index += 1
                let low: UInt8
                if byte == UInt8(ascii: "\\") {
                    guard let escaped = parseEscape(inClass: true) else { return nil }
                    guard let single = escaped.single else {
                        set.formUnion(escaped)  // \d, \w, \s…: not a range end
                        if peek() == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "]") {
                            return nil
                        }
                        continue
                    }
                    low = single
                } else if byte == UInt8(ascii: "[") {
                    return nil  // ICU reads a nested class where ECMA-262 reads a literal
                } else {
                    low = byte
                }
                if peek() == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "]") {
                    index += 1
                    let upperByte = bytes[index]
                    guard upperByte < 0x80 else { return nil }
                    index += 1
                    var high = upperByte
                    if upperByte == UInt8(ascii: "\\") {
                        guard let escaped = parseEscape(inClass: true), let single = escaped.single else { return nil }
                        high = single
                    } else if upperByte == UInt8(ascii: "[") {
                        return nil
                    }
                    guard low <= high else { return nil }
                    set.insert(low...high)
                } else {
                    set.insert(low)
                }
            }
            guard peek() == UInt8(ascii: "]") else { return nil }
            index += 1
            return negated ? set.inverted : set
        }

        /// After a backslash: a class escape or an escaped literal.
        private mutating func parseEscape(inClass: Bool) -> ByteSet? {
            guard let byte = peek() else { return nil }
            index += 1
            switch byte {
            case UInt8(ascii: "d"): return .digits
            case UInt8(ascii: "D"): return ByteSet.digits.inverted
            case UInt8(ascii: "w"): return .word
            case UInt8(ascii: "W"): return ByteSet.word.inverted
            case UInt8(ascii: "s"): return .space
            case UInt8(ascii: "S"): return ByteSet.space.inverted
            case UInt8(ascii: "t"): return .of("\t")
            case UInt8(ascii: "n"): return .of("\n")
            case UInt8(ascii: "r"): return .of("\r")
            case UInt8(ascii: "f"): return .of("\u{0C}")
            case UInt8(ascii: "v"): return .of("\u{0B}")
            default:
                // Escaped punctuation stands for itself; letters and digits carry meanings
                // (\b, \p, \u, \x, \c, back-references) this matcher leaves to ICU.
                guard byte < 0x80, !ByteSet.word.contains(byte) else { return nil }
                var set = ByteSet()
                set.insert(byte)
                return set
            }
        }
    }
}

extension ASCIIPattern.ByteSet {
    /// The one byte in the set, if it has exactly one.
    var single: UInt8? {
        guard low.nonzeroBitCount + high.nonzeroBitCount == 1 else { return nil }
        return low != 0 ? UInt8(low.trailingZeroBitCount) : UInt8(64 + high.trailingZeroBitCount)
    }
}
