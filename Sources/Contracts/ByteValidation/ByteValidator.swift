import Foundation

/// Validates a JSON document's bytes against a compiled schema in one pass, without building
/// a tree: strings are compared and matched where they lie, numbers read into a
/// ``JSONNumber`` on the stack, member names checked against the schema as they are read.
///
/// It answers for the common case only. ``Verdict/valid`` is certain: the document parses
/// (same grammar and limits as ``JSONValue/init(parsing:limits:)``, which this reads through)
/// and the tree would have no violation. Anything else — an invalid value, malformed JSON, a
/// string with escapes used as a member name, a keyword with no byte form — is
/// ``Verdict/invalid`` or ``Verdict/unknown``, and the caller parses and validates the tree,
/// which gives the verdict and the reasons. So errors stay exactly as precise as before and
/// only valid events, nearly all of them, take the fast path.
///
/// `$ref`, `allOf`, `anyOf`, `oneOf`, `not` and `if` read their value again from its first
/// byte for each subschema; in the contracts they sit on small objects (a subject's
/// identifiers).
struct ByteValidator {
    /// A node of the program, read in place (``JSONSchema/ByteProgram/node(_:)``).
    typealias Plan = UnsafePointer<JSONSchema.ByteNode>

    enum Verdict: Equatable {
        case valid
        case invalid
        /// The bytes are not well-formed, or a check cannot be decided on them.
        case unknown
    }

    private var reader: JSONParser
    private let program: JSONSchema.ByteProgram
    private let effective: [Int]
    /// The member names of the objects being read, innermost last, as byte ranges; each object
    /// removes its own when it ends.
    private var names: [JSONParser.ScannedString]
    /// The object whose value has in-place subschemas still to apply, if one is being read:
    /// its member names are kept when it ends (``recent``), so that subschemas asking only for
    /// names (`required`, as the contracts' `anyOf` of identifiers does) are answered without
    /// reading it again.
    private var watched = -1
    private var recent: (start: Int, end: Int) = (-1, -1)
    private var recentNames: [JSONParser.ScannedString] = []
    /// The paths whose values' offsets are noted (``CapturedPaths``), if any.
    private let captures: CapturedPaths?
    /// The trie node of the value about to be read when it lies on a captured path, else -1:
    /// set before a member's value is read, taken by the object that value opens.
    private var nextCapture = -1
    /// Each trie node's value offset once read, else -1 (node 0 is the root's: where the
    /// document starts after a byte-order mark and whitespace).
    private(set) var captured: [Int]

    init(
        bytes: UnsafeBufferPointer<UInt8>, limits: JSONDecodingLimits, program: JSONSchema.ByteProgram, effective: [Int],
        captures: CapturedPaths? = nil
    ) {
        reader = JSONParser(bytes: bytes, limits: limits)
        names = []
        names.reserveCapacity(32)
        self.program = program
        self.effective = effective
        self.captures = captures
        captured = captures.map { [Int](repeating: -1, count: $0.nodeCount) } ?? []
    }

    /// The offset of the value at each captured path (in the paths' order), `nil` for a path
    /// not found; meaningful once ``document(_:)`` said ``Verdict/valid``.
    var capturedOffsets: [Int?] {
        guard let captures else { return [] }
        return captures.ends.map { captured[$0] >= 0 ? captured[$0] : nil }
    }

    /// The verdict on the whole document for node `node` (the root is 0).
    mutating func document(_ node: Int) -> Verdict {
        let bytes = reader.bytes
        guard bytes.count <= reader.limits.maxDocumentBytes else { return .unknown }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { reader.index = 3 }
        reader.skipWhitespace()
        if captures != nil {
            captured[0] = reader.index
            nextCapture = 0
        }
        let verdict = value(node)
        guard verdict == .valid else { return verdict }
        reader.skipWhitespace()
        return reader.index == bytes.count ? .valid : .unknown
    }

    // MARK: Values

    /// Reads the value at `reader.index` (no whitespace before it) against `node`; when
    /// ``Verdict/valid``, leaves the index after the value.
    private mutating func value(_ node: Int) -> Verdict {
        let plan = program.node(effective[node])
        guard plan.pointee.decidable else { return .unknown }
        let start = reader.index
        let depth = reader.depth
        guard !plan.pointee.inPlace.isEmpty else { return read(plan) }
        let outer = watched
        watched = start
        let local = read(plan)
        watched = outer
        guard local == .valid else { return local }
        let end = reader.index
        for i in plan.pointee.inPlace {
            let verdict = applyInPlace(program.tables.inPlace[i], at: start, depth: depth)
            guard verdict == .valid else { return verdict }
        }
        reader.index = end
        reader.depth = depth
        return .valid
    }

    /// The same value, read again from `start` for another subschema — or, when the subschema
    /// asks only for member names and the object's names were kept, answered from them.
    private mutating func again(_ node: Int, at start: Int, depth: Int) -> Verdict {
        let plan = program.node(effective[node])
        if plan.pointee.asksOnlyNames, recent.start == start {
            reader.index = recent.end
            reader.depth = depth
            guard plan.pointee.types.admits(.object) else { return .invalid }
            for i in plan.pointee.required where !recentNames.contains(where: { poolEquals(program.tables.required[i], reader.bytes, $0) }) {
                return .invalid
            }
            return .valid
        }
        reader.index = start
        reader.depth = depth
        return value(node)
    }

    private mutating func applyInPlace(_ check: JSONSchema.Check, at start: Int, depth: Int) -> Verdict {
        switch check {
        case .ref(let target):
            return again(target, at: start, depth: depth)
        case .allOf(let nodes):
            for node in nodes {
                let verdict = again(node, at: start, depth: depth)
                guard verdict == .valid else { return verdict }
            }
            return .valid
        case .anyOf(let nodes):
            var undecided = false
            for node in nodes {
                switch again(node, at: start, depth: depth) {
                case .valid: return .valid
                case .unknown: undecided = true
                case .invalid: continue
                }
            }
            return undecided ? .unknown : .invalid
        case .oneOf(let nodes):
            var matching = 0
            var undecided = false
            for node in nodes {
                switch again(node, at: start, depth: depth) {
                case .valid: matching += 1
                case .unknown: undecided = true
                case .invalid: continue
                }
                if matching > 1 { return .invalid }
            }
            if undecided { return .unknown }
            return matching == 1 ? .valid : .invalid
        case .not(let node):
            switch again(node, at: start, depth: depth) {
            case .valid: return .invalid
            case .invalid: return .valid
            case .unknown: return .unknown
            }
        case .conditional(let condition, let then, let otherwise):
            let branch: Int?
            switch again(condition, at: start, depth: depth) {
            case .valid: branch = then
            case .invalid: branch = otherwise
            case .unknown: return .unknown
            }
            guard let branch else { return .valid }
            return again(branch, at: start, depth: depth)
        default:
            return .unknown
        }
    }

    /// Reads one value with `plan`'s checks for its kind.
    private mutating func read(_ plan: Plan) -> Verdict {
        if plan.pointee.alwaysFalse { return .invalid }
        guard reader.index < reader.bytes.count else { return .unknown }
        switch reader.bytes[reader.index] {
        case UInt8(ascii: "{"): return object(plan)
        case UInt8(ascii: "["): return array(plan)
        case UInt8(ascii: "\""): return string(plan)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number(plan)
        case UInt8(ascii: "t"): return literal("true", .boolean, plan) { $0.booleans.contains(true) }
        case UInt8(ascii: "f"): return literal("false", .boolean, plan) { $0.booleans.contains(false) }
        case UInt8(ascii: "n"): return literal("null", .null, plan) { $0.allowsNull }
        default: return .unknown
        }
    }

    private func admits(_ plan: Plan, _ kind: JSONValue.Kind) -> Bool {
        plan.pointee.types.admits(kind)
    }

    private mutating func literal(
        _ spelling: StaticString, _ kind: JSONValue.Kind, _ plan: Plan, allowed: (JSONSchema.ByteAllowedValues) -> Bool
    ) -> Verdict {
        do { try reader.expectLiteral(spelling) } catch { return .unknown }
        guard admits(plan, kind) else { return .invalid }
        for i in plan.pointee.allowed where !allowed(program.tables.allowed[i]) { return .invalid }
        return .valid
    }

    private mutating func number(_ plan: Plan) -> Verdict {
        let n: JSONNumber
        do { n = try reader.parseNumber() } catch { return .unknown }
        guard admits(plan, n.isInteger ? .integer : .number) else { return .invalid }
        for i in plan.pointee.allowed where !program.tables.allowed[i].numbers.contains(n) { return .invalid }
        for i in plan.pointee.numberChecks {
            let (kind, limit) = program.tables.numberChecks[i]
            let fails: Bool = switch kind {
            case .minimum: n < limit
            case .maximum: n > limit
            case .exclusiveMinimum: n <= limit
            case .exclusiveMaximum: n >= limit
            case .multipleOf: !n.isMultiple(of: limit)
            }
            if fails { return .invalid }
        }
        return .valid
    }

    private mutating func string(_ plan: Plan) -> Verdict {
        guard admits(plan, .string) else { return .invalid }
        let scanned: JSONParser.ScannedString
        do { scanned = try reader.scanString() } catch { return .unknown }
        guard plan.pointee.checksStrings else { return .valid }
        if scanned.hasEscapes { return escapedString(plan, scanned) }
        let bytes = UnsafeBufferPointer(rebasing: reader.bytes[scanned.start..<scanned.end])
        for i in plan.pointee.allowed where !program.tables.allowed[i].strings.contains(where: { poolEquals($0, bytes) }) { return .invalid }
        if plan.pointee.minLength > 0 || plan.pointee.maxLength != .max {
            // Code points: every byte that does not continue a sequence starts one.
            var length = bytes.count
            if !scanned.isASCII { length = bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } }
            if length < plan.pointee.minLength || length > plan.pointee.maxLength { return .invalid }
        }
        for i in plan.pointee.patterns where !program.tables.patterns[i].matches(bytes: bytes) { return .invalid }
        if !plan.pointee.formats.isEmpty {
            for (bit, format) in JSONSchema.ByteNode.Formats.table where plan.pointee.formats.contains(bit) && !format.isValid(utf8: bytes) {
                return .invalid
            }
        }
        return .valid
    }

    /// A string whose bytes hold escapes: decoded, then checked as the tree checks it.
    private mutating func escapedString(_ plan: Plan, _ scanned: JSONParser.ScannedString) -> Verdict {
        let after = reader.index
        reader.index = scanned.start - 1
        let text: String
        do { text = try reader.parseString() } catch { return .unknown }
        reader.index = after
        let value = JSONValue.string(text)
        for i in plan.pointee.allowed where !program.tables.allowed[i].values.contains(value) { return .invalid }
        let length = text.unicodeScalars.count
        if length < plan.pointee.minLength || length > plan.pointee.maxLength { return .invalid }
        for i in plan.pointee.patterns where !program.tables.patterns[i].matches(text) { return .invalid }
        for format in plan.pointee.formats.each where !format.isValid(text) { return .invalid }
        return .valid
    }

    /// After an element or member: `true` after a comma (another follows), `false` after the
    /// container's `closing` byte, `nil` for anything else.
    private mutating func separator(closing: UInt8) -> Bool? {
        reader.skipWhitespace()
        guard reader.index < reader.bytes.count else { return nil }
        let next = reader.bytes[reader.index]
        reader.index += 1
        if next == closing { return false }
        guard next == UInt8(ascii: ",") else { return nil }
        reader.skipWhitespace()
        return true
    }

    /// Opens an array or an object for `plan`: `nil` to read on, else the verdict.
    private mutating func open(_ kind: JSONValue.Kind, _ plan: Plan) -> Verdict? {
        guard admits(plan, kind) else { return .invalid }
        // The program holds no enum or const with containers, so a container is in none.
        guard plan.pointee.allowed.isEmpty else { return .invalid }
        do { try reader.enterContainer() } catch { return .unknown }
        reader.index += 1
        reader.skipWhitespace()
        return nil
    }

    private mutating func array(_ plan: Plan) -> Verdict {
        nextCapture = -1  // no captured path goes through an array
        if let verdict = open(.array, plan) { return verdict }
        var count = 0
        var elements: [Range<Int>] = []
        guard reader.index < reader.bytes.count else { return .unknown }
        if reader.bytes[reader.index] == UInt8(ascii: "]") {
            reader.index += 1
        } else {
            while true {
                if plan.pointee.itemsAllowed >= 0, count >= plan.pointee.itemsAllowed { return .invalid }
                let node = if count < plan.pointee.prefixItems.count {
                    program.tables.prefixItems[plan.pointee.prefixItems.lowerBound + count]
                } else if plan.pointee.itemsNode >= 0, count >= plan.pointee.itemsFrom {
                    plan.pointee.itemsNode
                } else {
                    -1
                }
                let start = reader.index
                let verdict = node >= 0 ? value(node) : skip()
                guard verdict == .valid else { return verdict }
                if plan.pointee.uniqueItems {
                    guard let repeated = isRepeated(start..<reader.index, among: &elements) else { return .unknown }
                    if repeated { return .invalid }
                }
                count += 1
                guard let more = separator(closing: UInt8(ascii: "]")) else { return .unknown }
                if !more { break }
            }
        }
        reader.depth -= 1
        if count < plan.pointee.minItems || count > plan.pointee.maxItems { return .invalid }
        return .valid
    }

    private mutating func object(_ plan: Plan) -> Verdict {
        let start = reader.index
        // On a captured path: this object's members may be noted. Read again for another
        // subschema, it is not (the first reading noted them already).
        let capturing = nextCapture
        nextCapture = -1
        if let verdict = open(.object, plan) { return verdict }
        let base = names.count
        defer { names.removeLast(names.count - base) }
        guard reader.index < reader.bytes.count else { return .unknown }
        if reader.bytes[reader.index] == UInt8(ascii: "}") {
            reader.index += 1
        } else {
            while true {
                guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else { return .unknown }
                let name: JSONParser.ScannedString
                do { name = try reader.scanString() } catch { return .unknown }
                // Escaped or non-ASCII names (rare) are compared by the tree, as `String`s.
                guard !name.hasEscapes, name.isASCII else { return .unknown }
                let nameBytes = UnsafeBufferPointer(rebasing: reader.bytes[name.start..<name.end])
                // A repeated name is a parse error: the tree reports where.
                for i in base..<names.count where Self.equal(reader.bytes, names[i], nameBytes) { return .unknown }
                names.append(name)
                reader.skipWhitespace()
                guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: ":") else { return .unknown }
                reader.index += 1
                reader.skipWhitespace()
                if capturing >= 0, let captures {
                    nextCapture = captures.child(of: capturing, named: nameBytes)
                    if nextCapture >= 0 { captured[nextCapture] = reader.index }
                }
                let verdict = plan.pointee.hasMembers ? member(nameBytes, plan) : skip()
                nextCapture = -1
                guard verdict == .valid else { return verdict }
                guard let more = separator(closing: UInt8(ascii: "}")) else { return .unknown }
                if !more { break }
            }
        }
        reader.depth -= 1
        if start == watched {
            recent = (start, reader.index)
            recentNames.removeAll(keepingCapacity: true)
            recentNames.append(contentsOf: names[base...])
        }
        let count = names.count - base
        if count < plan.pointee.minProperties || count > plan.pointee.maxProperties { return .invalid }
        for i in plan.pointee.required {
            let required = program.tables.required[i]
            var present = false
            for j in base..<names.count where poolEquals(required, reader.bytes, names[j]) {
                present = true
                break
            }
            if !present { return .invalid }
        }
        return .valid
    }

    /// `uniqueItems`: whether the element at `span` equals an earlier one; `nil` when its bytes
    /// are not its value (not a string, or a string with escapes) and the tree must compare.
    private func isRepeated(_ span: Range<Int>, among earlier: inout [Range<Int>]) -> Bool? {
        let bytes = reader.bytes
        guard bytes[span.lowerBound] == UInt8(ascii: "\""), !bytes[span].contains(UInt8(ascii: "\\")) else { return nil }
        for other in earlier where other.count == span.count
            && memcmp(bytes.baseAddress! + other.lowerBound, bytes.baseAddress! + span.lowerBound, span.count) == 0
        {
            return true
        }
        earlier.append(span)
        return false
    }

    /// One member's value, against every subschema that applies to its name.
    private mutating func member(_ name: UnsafeBufferPointer<UInt8>, _ plan: Plan) -> Verdict {
        var property = -1
        for i in plan.pointee.members where poolEquals(program.tables.members[i].name, name) {
            property = program.tables.members[i].node
            break
        }
        if plan.pointee.memberPatterns.isEmpty {
            if property >= 0 { return value(property) }
            switch plan.pointee.additional {
            case JSONSchema.ByteNode.noAdditional: return .invalid
            case JSONSchema.ByteNode.anyAdditional: return skip()
            default: return value(plan.pointee.additional)
            }
        }
        // With `patternProperties` (rare in contracts) every matching subschema applies.
        var schemas: [Int] = property >= 0 ? [property] : []
        let key = String(decoding: name, as: UTF8.self)
        for i in plan.pointee.memberPatterns where program.tables.memberPatterns[i].pattern.matches(key) { schemas.append(program.tables.memberPatterns[i].node) }
        if schemas.isEmpty {
            switch plan.pointee.additional {
            case JSONSchema.ByteNode.noAdditional: return .invalid
            case JSONSchema.ByteNode.anyAdditional: return skip()
            default: return value(plan.pointee.additional)
            }
        }
        let start = reader.index
        let depth = reader.depth
        var end = start
        for node in schemas {
            let verdict = again(node, at: start, depth: depth)
            guard verdict == .valid else { return verdict }
            end = reader.index
        }
        reader.index = end
        return .valid
    }

    /// Reads over one value, checking only that it is well-formed.
    private mutating func skip() -> Verdict {
        read(program.anyValue)
    }

    // MARK: Bytes

    /// Whether the program's string `id` (a name or an enum string) is `bytes`.
    private func poolEquals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let range = program.tables.strings[id]
        guard range.count == bytes.count else { return false }
        return range.isEmpty || program.tables.pool.withUnsafeBufferPointer { Self.sameBytes($0.baseAddress! + range.lowerBound, bytes.baseAddress!, range.count) }
    }

    /// `memcmp(a, b, count) == 0` for the short names and codes compared here, without a call:
    /// eight bytes at a time, then byte by byte.
    @inline(__always)
    private static func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        while i + 8 <= count {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) { return false }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    private func poolEquals(_ id: Int, _ input: UnsafeBufferPointer<UInt8>, _ name: JSONParser.ScannedString) -> Bool {
        poolEquals(id, UnsafeBufferPointer(rebasing: input[name.start..<name.end]))
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: JSONParser.ScannedString, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = name.end - name.start
        return count == other.count && (count == 0 || sameBytes(bytes.baseAddress! + name.start, other.baseAddress!, count))
    }
}
