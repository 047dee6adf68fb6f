import Foundation

/// A JSON Schema (draft 2020-12) compiled for repeated validation.
///
/// Each topic contract's event schema is compiled once, when the contract is loaded, and then
/// validates every event on the hot path: keyword values are checked, references resolved and
/// regular expressions built up front, so validation only walks the instance. The compiled
/// schema is an immutable value; share it freely between tasks and threads.
///
/// Supported: `type`, `enum`, `const`, the numeric, string, array and object assertions,
/// `properties`, `patternProperties`, `additionalProperties`, `propertyNames`, `required`,
/// `dependentRequired`, `dependentSchemas`, `prefixItems`, `items`, `contains`
/// (`minContains`, `maxContains`), `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`,
/// boolean schemas, `$defs` and local `$ref` (JSON Pointer fragments, with siblings applied
/// too), and `format` for `date`, `date-time` and `uuid`. Annotations and unknown keywords are
/// ignored. Keywords that would need more than this (`$dynamicRef`, `unevaluated*`, an `$id`
/// inside a subschema, remote references) make compilation fail rather than be skipped.
public struct JSONSchema: Sendable {
    /// How the schema is applied.
    public struct Options: Sendable, Hashable {
        /// Whether `format` is an assertion for the formats we know (`date`, `date-time`,
        /// `uuid`). Default: `true`, since contracts rely on it; JSON Schema's own default is
        /// annotation only, which `false` gives. Other formats are never asserted.
        public var assertsFormat: Bool

        public init(assertsFormat: Bool = true) {
            self.assertsFormat = assertsFormat
        }
    }

    /// All compiled subschemas; the root is node 0.
    let nodes: [Node]
    /// For each node, the node that does its work: a subschema that is only a `$ref` (every
    /// `"$ref": "#/$defs/…"` property) stands for its target, so evaluation skips the hop.
    /// Such a node has no check of its own that could fail, so violations are unchanged.
    let effective: [Int]
    /// The nodes arranged for validating bytes without a tree (``ByteValidator``).
    let program: ByteProgram

    /// Compiles a schema document.
    ///
    /// - Throws: ``SchemaCompilationError`` naming the location of the first problem: a keyword
    ///   with a malformed value, an unresolvable or cyclic `$ref`, an invalid pattern, or an
    ///   unsupported keyword.
    public init(_ document: JSONValue, options: Options = Options()) throws(SchemaCompilationError) {
        var compiler = SchemaCompiler(document: document, options: options)
        nodes = try compiler.compileDocument()
        effective = Self.followingReferences(nodes)
        program = ByteProgram(nodes)
    }

    /// ``effective``: each node's target after any chain of `$ref`-only nodes (the compiler
    /// has rejected reference cycles).
    private static func followingReferences(_ nodes: [Node]) -> [Int] {
        nodes.indices.map { start in
            var index = start
            while nodes[index].checks.count == 1, case .ref(let target) = nodes[index].checks[0] { index = target }
            return index
        }
    }

    /// Every way `instance` fails the schema; empty when it is valid.
    ///
    /// Use this where the reasons go back to someone (an HTTP answer, a dead-letter record).
    /// The order is stable: keywords in a fixed order, object members by name, array elements
    /// by index.
    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        // Most events are valid: the quick pass answers them without building paths or
        // sorting member names; only an invalid instance pays for the full report.
        if isValid(instance) { return [] }
        var evaluator = SchemaEvaluator(nodes: nodes, effective: effective, collecting: true)
        _ = evaluator.evaluate(0, instance)
        return evaluator.violations
    }

    /// Whether `instance` satisfies the schema; stops at the first failure, so it is cheaper
    /// than ``validate(_:)`` when only the verdict matters.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(nodes: nodes, effective: effective, collecting: false)
        return evaluator.evaluate(0, instance)
    }

    /// Whether the JSON document in `bytes` satisfies the schema. Valid documents are answered
    /// from the bytes without building a tree (``ByteValidator``); any other is parsed, so a
    /// malformed document is simply not valid. Use ``validate(_:)`` on the parsed value for
    /// the reasons.
    public func isValid(bytes: some ContiguousBytes, limits: JSONDecodingLimits = .events) -> Bool {
        let verdict = bytes.withUnsafeBytes { byteVerdict($0.assumingMemoryBound(to: UInt8.self), limits: limits) }
        switch verdict {
        case .valid: return true
        case .invalid, .unknown:
            guard let document = try? JSONValue(parsing: bytes, limits: limits) else { return false }
            return isValid(document)
        }
    }

    /// The byte validator's verdict alone: ``ByteValidator/Verdict/valid`` is certain, the
    /// others send the caller to the tree.
    func byteVerdict(_ bytes: UnsafeBufferPointer<UInt8>, limits: JSONDecodingLimits) -> ByteValidator.Verdict {
        var validator = ByteValidator(bytes: bytes, limits: limits, program: program, effective: effective)
        return validator.document(0)
    }

    /// The verdict, and where the values at `paths` lie (in their order; `nil` for a path the
    /// document lacks): read in the same pass. The offsets are trustworthy only with
    /// ``ByteValidator/Verdict/valid``.
    func byteVerdict(
        _ bytes: UnsafeBufferPointer<UInt8>, limits: JSONDecodingLimits, capturing paths: CapturedPaths
    ) -> (verdict: ByteValidator.Verdict, offsets: [Int?]) {
        var validator = ByteValidator(bytes: bytes, limits: limits, program: program, effective: effective, captures: paths)
        let verdict = validator.document(0)
        return (verdict, verdict == .valid ? validator.capturedOffsets : [])
    }
}
