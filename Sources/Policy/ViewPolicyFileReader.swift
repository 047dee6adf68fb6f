import Foundation
import Contracts
import Yams

/// Reads `Policy/views.yaml` strictly: every key known, every list non-empty, every role and
/// agency kind in the glossary, every classification known. The first problem stops the reading
/// with its line and key, like the grants' reader.
struct ViewPolicyFileReader {
    let file: String
    let glossary: Glossary

    static let supportedVersion = 1

    func views(from text: String) throws(AccessPolicyError) -> [String: ViewPolicy.View] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            throw AccessPolicyError(file: file, line: nil, key: "(file)", reason: "not valid YAML")
        }
        guard let root, case .mapping(let top) = root else { throw problem(root, "(top level)", "must be a mapping with version and views") }
        try onlyKeys(top, ["version", "views"], at: "(top level)")
        guard top["version"]?.int == Self.supportedVersion else {
            throw problem(top["version"] ?? root, "version", "must be \(Self.supportedVersion), the only version this program reads")
        }
        guard let viewsNode = top["views"], case .mapping(let entries) = viewsNode else {
            throw problem(root, "views", "must be a mapping of view names to their resource, access and fields")
        }
        var views: [String: ViewPolicy.View] = [:]
        for (nameNode, node) in entries {
            guard let name = nameNode.scalar?.string, name.range(of: "^[a-z][a-z0-9-]{0,63}$", options: .regularExpression) != nil else {
                throw problem(nameNode, "views", "a view's name must be lower-case letters, digits and dashes")
            }
            views[name] = try view(name, node, at: "views.\(name)")
        }
        return views
    }

    private func view(_ name: String, _ node: Node, at key: String) throws(AccessPolicyError) -> ViewPolicy.View {
        guard case .mapping(let members) = node else { throw problem(node, key, "must be a mapping of resource, access, fields") }
        try onlyKeys(members, ["resource", "access", "fields"], at: key)
        guard let resource = members["resource"]?.scalar?.string,
              resource.range(of: "^[a-z][a-z0-9.-]{0,127}$", options: .regularExpression) != nil
        else { throw problem(members["resource"] ?? node, "\(key).resource", "must be an audit resource name such as view.caseload") }
        guard let accessNode = members["access"], case .sequence(let ruleNodes) = accessNode, !ruleNodes.isEmpty else {
            throw problem(members["access"] ?? node, "\(key).access", "must be a non-empty list of rules (roles, agencyKinds, scope)")
        }
        var rules: [ViewPolicy.Rule] = []
        for (index, ruleNode) in ruleNodes.enumerated() {
            rules.append(try rule(ruleNode, at: "\(key).access[\(index)]"))
        }
        guard let fieldsNode = members["fields"], case .mapping(let fieldNodes) = fieldsNode, !fieldNodes.isEmpty else {
            throw problem(members["fields"] ?? node, "\(key).fields", "must be a non-empty mapping of row paths to classifications")
        }
        var fields: [String: [FieldClassification]] = [:]
        for (pathNode, classesNode) in fieldNodes {
            guard let path = pathNode.scalar?.string, !path.isEmpty else { throw problem(pathNode, "\(key).fields", "a path must be text") }
            fields[path] = try codes(classesNode, at: "\(key).fields.\(path)", known: FieldClassification.allCases.map(\.rawValue))
                .compactMap(FieldClassification.init(rawValue:))
        }
        return ViewPolicy.View(name: name, resource: resource, rules: rules, fields: fields)
    }

    private func rule(_ node: Node, at key: String) throws(AccessPolicyError) -> ViewPolicy.Rule {
        guard case .mapping(let members) = node else { throw problem(node, key, "must be a mapping of roles, agencyKinds, scope") }
        try onlyKeys(members, ["roles", "agencyKinds", "purposes", "scope"], at: key)
        guard let rolesNode = members["roles"], let kindsNode = members["agencyKinds"] else { throw problem(node, key, "needs roles and agencyKinds") }
        let roles = try codes(rolesNode, at: "\(key).roles", known: glossaryCodes("accessRole")).compactMap(AccessRole.init(rawValue:))
        let kinds = try codes(kindsNode, at: "\(key).agencyKinds", known: glossaryCodes("agencyKind"))
        guard let scopeText = members["scope"]?.scalar?.string, let scope = ViewPolicy.Scope(rawValue: scopeText) else {
            throw problem(members["scope"] ?? node, "\(key).scope", "must be one of \(ViewPolicy.Scope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let purposes = try members["purposes"].map { node throws(AccessPolicyError) in
            try codes(node, at: "\(key).purposes", known: glossaryCodes("accessPurpose")).compactMap(AccessPurpose.init(rawValue:))
        }
        return ViewPolicy.Rule(roles: roles, agencyKinds: kinds, purposes: purposes, scope: scope, line: node.mark?.line)
    }

    private func glossaryCodes(_ enumeration: String) -> [String] {
        let codes = glossary.enumerations[enumeration]?.codes ?? []
        // A role must also be one this program knows.
        return enumeration == "accessRole" ? codes.filter { AccessRole(rawValue: $0) != nil } : codes
    }

    /// A non-empty list of codes, each in `known`.
    private func codes(_ node: Node, at key: String, known: [String]) throws(AccessPolicyError) -> [String] {
        guard case .sequence(let items) = node, !items.isEmpty else { throw problem(node, key, "must be a non-empty list") }
        var values: [String] = []
        for (index, item) in items.enumerated() {
            guard let code = item.scalar?.string, known.contains(code) else {
                throw problem(item, "\(key)[\(index)]", "'\(item.scalar?.string ?? "a list or mapping")' is not one of: \(known.joined(separator: ", "))")
            }
            values.append(code)
        }
        return values
    }

    private func onlyKeys(_ mapping: Node.Mapping, _ allowed: [String], at key: String) throws(AccessPolicyError) {
        for (name, _) in mapping {
            guard let text = name.scalar?.string, allowed.contains(text) else {
                throw problem(name, key == "(top level)" ? (name.scalar?.string ?? "a key") : "\(key).\(name.scalar?.string ?? "a key")",
                              "unknown key; allowed: \(allowed.joined(separator: ", "))")
            }
        }
    }

    private func problem(_ node: Node?, _ key: String, _ reason: String) -> AccessPolicyError {
        AccessPolicyError(file: file, line: node?.mark?.line, key: key, reason: reason)
    }
}
