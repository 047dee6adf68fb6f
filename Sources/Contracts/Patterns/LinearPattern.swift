/// An ``ASCIIPattern`` that needs no backtracking: anchored at both ends (`^…$`, one
/// alternative), made of byte classes and of groups with one alternative, where at every
/// choice the next byte alone decides what a greedy match does. Matched in one pass over the
/// bytes, with no closures, no recursion into alternatives and no step count.
///
/// The choices are how many times to repeat a class or a group between its bounds. A greedy
/// backtracking matcher takes as many as it can, then gives some back when what follows
/// fails. Giving back cannot help when nothing that may follow can begin with a byte the
/// repetition takes (the class, or the first bytes of the group): what follows then fails on
/// that byte whatever was given back. ``init(_:)`` checks exactly that, from the end of the
/// pattern back (what may follow the end anchor is nothing), and declines otherwise; a group
/// that may match the empty string is declined too. The answer is then the backtracking
/// matcher's, in one pass; `ASCIIPatternTests` holds both to ICU's.
///
/// Contract patterns it takes: `^[A-Z]{2}-[A-Z0-9]+(-[A-Z0-9]+)*$` (agency ids),
/// `^[0-9]{5}(-[0-9]{4})?$`, `^[^@ ]+@[^@ ]+$`, `^[A-Z]{2}[0-9A-Z]{4,12}$`, and the like.
struct LinearPattern: Sendable {
    indirect enum Step: Sendable {
        /// `set` between `min` and `max` times, as many as it can.
        case set(ASCIIPattern.ByteSet, min: Int, max: Int)
        /// `steps` between `min` and `max` times; an iteration starts on a byte of `first`.
        case group([Step], first: ASCIIPattern.ByteSet, min: Int, max: Int)
    }

    let steps: [Step]

    /// `nil` unless `alternatives` is one `^…$` sequence that one pass decides (see above).
    init?(_ alternatives: [[ASCIIPattern.Term]]) {
        guard alternatives.count == 1, var terms = Optional(alternatives[0]), terms.count >= 2,
            case .start = terms.first!.atom, case .end = terms.last!.atom
        else { return nil }
        terms.removeFirst()
        terms.removeLast()
        guard let compiled = Self.compile(terms, followedBy: ASCIIPattern.ByteSet()) else { return nil }
        steps = compiled.steps
    }

    /// The steps of `terms` followed by bytes of `follow`, and the bytes a match of them can
    /// begin with (`follow` included when they can match nothing); nil when a choice would
    /// need to look further than the next byte, or a term is not a class or a plain group.
    private static func compile(
        _ terms: [ASCIIPattern.Term], followedBy follow: ASCIIPattern.ByteSet
    ) -> (steps: [Step], first: ASCIIPattern.ByteSet, nullable: Bool)? {
        var steps: [Step] = []
        var follow = follow
        var nullable = true
        for term in terms.reversed() {
            let first: ASCIIPattern.ByteSet
            switch term.atom {
            case .set(let set):
                if term.min != term.max, set.overlaps(follow) { return nil }
                steps.append(.set(set, min: term.min, max: term.max))
                first = set
            case .group(let inner):
                guard inner.count == 1, let start = compile(inner[0], followedBy: ASCIIPattern.ByteSet()), !start.nullable else { return nil }
                // After an iteration comes another (when more are allowed) or what follows.
                var after = follow
                if term.max > 1 { after.formUnion(start.first) }
                guard let body = compile(inner[0], followedBy: after) else { return nil }
                if term.min != term.max, start.first.overlaps(follow) { return nil }
                steps.append(.group(body.steps, first: start.first, min: term.min, max: term.max))
                first = start.first
            case .start, .end:
                return nil
            }
            if term.min > 0 {
                follow = first
                nullable = false
            } else {
                follow.formUnion(first)
            }
        }
        return (steps.reversed(), follow, nullable)
    }

    func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        return Self.run(steps, bytes, &position) && position == bytes.count
    }

    private static func run(_ steps: [Step], _ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Bool {
        for step in steps {
            switch step {
            case .set(let set, let min, let max):
                var count = 0
                while count < max, position < bytes.count, set.contains(bytes[position]) {
                    position += 1
                    count += 1
                }
                if count < min { return false }
            case .group(let body, let first, let min, let max):
                var count = 0
                while count < max, position < bytes.count, first.contains(bytes[position]) {
                    if !run(body, bytes, &position) { return false }
                    count += 1
                }
                if count < min { return false }
            }
        }
        return true
    }
}
