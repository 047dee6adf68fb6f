/// A policy file that cannot be used, naming where (line and key) and why. The policy is then not
/// loaded at all: a half-read policy could grant what the file does not, or deny by accident.
///
/// Its description quotes no more than the key and the offending code (roles, kinds, purposes):
/// a policy file holds no personal data.
public struct AccessPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, e.g. `Policy/access-policy.yaml` (or `built-in` for the embedded copy).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// Where in the document: `grants[2].roles`, `version`, `(top level)`.
    public var key: String
    public var reason: String

    public init(file: String, line: Int?, key: String, reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key): \(reason)"
    }
}
