import Contracts
import Yams

/// Reads the grants of a policy file, strictly: every key known, every list non-empty, every
/// code in the glossary. The first problem stops the reading with its line and key.
struct PolicyFileReader {
    let file: String
    let glossary: Glossary

    static let supportedVersion = 1
    static let grantKeys = ["roles", "agencyKinds", "purposes", "classifications"]

    func grants(from text: String) throws(AccessPolicyError) -> [AccessPolicy.Grant] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw malformed(error)
        } catch {
            throw AccessPolicyError(file: file, line: nil, key: "(file)", reason: "not valid YAML")
        }
        guard let root, case .mapping(let top) = root else {
            throw problem(root, "(top level)", "must be a mapping with version and grants")
        }
        try onlyKeys(top, ["version", "grants"], at: "(top level)")
        guard let version = top["version"] else { throw problem(root, "version", "missing (this program reads version \(Self.supportedVersion))") }
        guard version.int == Self.supportedVersion else {
            throw problem(version, "version", "must be \(Self.supportedVersion), the only version this program reads")
        }
        guard let grantsNode = top["grants"] else { throw problem(root, "grants", "missing: a policy without grants denies everything; say so with grants: []") }
        guard case .sequence(let items) = grantsNode else { throw problem(grantsNode, "grants", "must be a list of grants") }
        var grants: [AccessPolicy.Grant] = []
        for (index, item) in items.enumerated() {
            grants.append(try grant(item, at: "grants[\(index)]"))
        }
        return grants
    }

    private func grant(_ node: Node, at key: String) throws(AccessPolicyError) -> AccessPolicy.Grant {
        guard case .mapping(let members) = node else { throw problem(node, key, "must be a mapping of \(Self.grantKeys.joined(separator: ", "))") }
        try onlyKeys(members, Self.grantKeys, at: key)
        let roles = try codes(members, "roles", at: key, of: "accessRole") { AccessRole(rawValue: $0) }
        let kinds = try codes(members, "agencyKinds", at: key, of: "agencyKind") { code in
            glossary.enumerations["agencyKind"]?.codes.contains(code) == true ? code : nil
        }
        let purposes = try codes(members, "purposes", at: key, of: "accessPurpose") { AccessPurpose(rawValue: $0) }
        let classifications = try codes(members, "classifications", at: key, of: "classification") { FieldClassification(rawValue: $0) }
        return AccessPolicy.Grant(roles: roles, agencyKinds: kinds, purposes: purposes, classifications: classifications, line: line(node))
    }

    /// A non-empty list of codes, each known to `known`, and (for roles and purposes) in the
    /// glossary enumeration `enumeration`.
    private func codes<T>(
        _ members: Node.Mapping, _ name: String, at key: String, of enumeration: String, _ known: (String) -> T?
    ) throws(AccessPolicyError) -> [T] {
        let path = "\(key).\(name)"
        guard let node = members[name] else { throw problem(members.first?.key, path, "missing") }
        guard case .sequence(let items) = node, !items.isEmpty else {
            throw problem(node, path, "must be a non-empty list, e.g. [\(example(enumeration))]")
        }
        let glossaryCodes = glossary.enumerations[enumeration].map { Set($0.codes) }
        var values: [T] = []
        for (index, item) in items.enumerated() {
            guard case .scalar(let scalar) = item else { throw problem(item, "\(path)[\(index)]", "must be a code, not a list or mapping") }
            let code = scalar.string
            // A role or purpose must be both in the glossary and known to this program.
            guard let value = known(code), glossaryCodes?.contains(code) ?? true else {
                throw problem(item, "\(path)[\(index)]", "'\(code)' is not \(describe(enumeration)); one of: \(allowed(enumeration))")
            }
            values.append(value)
        }
        return values
    }

    private func describe(_ enumeration: String) -> String {
        enumeration == "classification" ? "a field classification" : "a code of the glossary's \(enumeration)"
    }

    private func allowed(_ enumeration: String) -> String {
        if enumeration == "classification" { return FieldClassification.allCases.map(\.rawValue).joined(separator: ", ") }
        return (glossary.enumerations[enumeration]?.codes ?? []).joined(separator: ", ")
    }

    private func example(_ enumeration: String) -> String {
        enumeration == "classification" ? "public, pii" : (glossary.enumerations[enumeration]?.codes.first ?? "")
    }

    private func onlyKeys(_ mapping: Node.Mapping, _ allowed: [String], at key: String) throws(AccessPolicyError) {
        for (name, _) in mapping {
            guard case .scalar(let scalar) = name, allowed.contains(scalar.string) else {
                let shown = name.scalar?.string ?? "a non-text key"
                throw problem(name, key == "(top level)" ? shown : "\(key).\(shown)", "unknown key; allowed: \(allowed.joined(separator: ", "))")
            }
        }
    }

    private func line(_ node: Node?) -> Int? { node?.mark?.line }

    private func problem(_ node: Node?, _ key: String, _ reason: String) -> AccessPolicyError {
        AccessPolicyError(file: file, line: line(node), key: key, reason: reason)
    }

    private func malformed(_ error: YamlError) -> AccessPolicyError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return AccessPolicyError(file: file, line: mark.line, key: "(file)", reason: "not valid YAML: \(problem)" + (context.map { " (\($0.text))" } ?? ""))
        default:
            return AccessPolicyError(file: file, line: nil, key: "(file)", reason: "not valid YAML")
        }
    }
}
