import Foundation
import Yams

extension JSONValue {
    /// Parses a YAML document into the JSON data model, so contracts written in YAML are read by
    /// the same schema code as JSON.
    ///
    /// Scalars are typed as YAML 1.2's core schema does, not YAML 1.1's: only `true`/`false` are
    /// booleans and timestamps stay strings. Otherwise `no` (a possible code) would become
    /// `false` and `2025-03-01` a date, and the schema would see something other than what the
    /// contract's author wrote. Anchors and aliases are expanded.
    ///
    /// - Throws: ``ContractProblem`` with the line of a syntax error, or the path of a mapping
    ///   key that is not a string.
    public init(yaml text: String, file: String) throws(ContractProblem) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ContractProblem(file: file, path: "$", message: "not valid YAML: \(error)")
        } catch {
            throw ContractProblem(file: file, path: "$", message: "not valid YAML: \(error)")
        }
        guard let node else {
            throw ContractProblem(file: file, path: "$", message: "the file is empty")
        }
        self = try Self.convert(node, path: .root, file: file)
    }

    /// Plain scalars are typed here, by the core schema's rules, rather than by Yams.
    private static func plainScalar(_ text: String) -> JSONValue? {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let int = Int64(text) { return .number(JSONNumber(int)) }
        if text.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
            let double = Double(text)
        {
            return JSONNumber(double).map(JSONValue.number)
        }
        return nil
    }

    private static func convert(_ node: Node, path: JSONPath, file: String) throws(ContractProblem) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, let typed = plainScalar(scalar.string) { return typed }
            return .string(scalar.string)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                elements.append(try convert(element, path: path.appending(index: index), file: file))
            }
            return .array(elements)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ContractProblem(file: file, path: path.description, message: "mapping keys must be strings")
                }
                let name = keyScalar.string
                if members[name] != nil {
                    throw ContractProblem(file: file, path: path.appending(key: name).description, message: "duplicate key")
                }
                members[name] = try convert(value, path: path.appending(key: name), file: file)
            }
            return .object(members)
        }
    }
}
