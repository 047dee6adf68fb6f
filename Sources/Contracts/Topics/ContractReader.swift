/// Reads typed fields out of a parsed contract file, turning every mismatch into a
/// ``ContractProblem`` that names the file and the JSON path.
struct ContractReader {
    let file: String

    func problem(_ path: JSONPath, _ message: String) -> ContractProblem {
        ContractProblem(file: file, path: path.description, message: message)
    }

    func object(_ value: JSONValue?, _ path: JSONPath) throws(ContractProblem) -> [String: JSONValue] {
        guard let value else { throw problem(path, "missing (an object is required)") }
        guard case .object(let members) = value else { throw problem(path, "must be an object, not \(value.kind)") }
        return members
    }

    func string(_ value: JSONValue?, _ path: JSONPath) throws(ContractProblem) -> String {
        guard let value else { throw problem(path, "missing (a string is required)") }
        guard case .string(let string) = value, !string.isEmpty else {
            throw problem(path, "must be a non-empty string, not \(value.kind)")
        }
        return string
    }

    func optionalString(_ value: JSONValue?, _ path: JSONPath) throws(ContractProblem) -> String? {
        guard let value, value != .null else { return nil }
        return try string(value, path)
    }

    func integer(_ value: JSONValue?, _ path: JSONPath) throws(ContractProblem) -> Int {
        guard let value else { throw problem(path, "missing (an integer is required)") }
        guard case .number(let number) = value, let int = number.int64Value else {
            throw problem(path, "must be an integer, not \(value.kind)")
        }
        return Int(int)
    }

    func array(_ value: JSONValue?, _ path: JSONPath) throws(ContractProblem) -> [JSONValue] {
        guard let value else { throw problem(path, "missing (a list is required)") }
        guard case .array(let elements) = value else { throw problem(path, "must be a list, not \(value.kind)") }
        return elements
    }

    func strings(_ value: JSONValue?, _ path: JSONPath) throws(ContractProblem) -> [String] {
        var result: [String] = []
        for (index, element) in try array(value, path).enumerated() {
            result.append(try string(element, path.appending(index: index)))
        }
        return result
    }

    /// A string or a list of strings (`pii` or `[pii, cji]`).
    func stringOrStrings(_ value: JSONValue?, _ path: JSONPath) throws(ContractProblem) -> [String] {
        if case .string(let single)? = value { return [single] }
        return try strings(value, path)
    }

    /// Fails on members other than `allowed`, so a misspelt key is an error, not ignored.
    func onlyKeys(_ members: [String: JSONValue], _ allowed: Set<String>, _ path: JSONPath) throws(ContractProblem) {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw problem(path.appending(key: unknown), "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }
}
