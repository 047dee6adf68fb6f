import Contracts
import Foundation
import Policy

/// The repository's root, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let repositoryTopics = repositoryRoot.appendingPathComponent("Topics", isDirectory: true)
let repositoryPolicy = repositoryRoot.appendingPathComponent("Policy/\(AccessPolicy.fileName)")

/// The repository's contracts, loaded once per process.
let contracts: TopicCatalog = {
    do { return try TopicCatalog.load(from: repositoryTopics) } catch { fatalError("the repository's contracts do not load: \(error)") }
}()

/// The repository's policy over the repository's contracts.
func repositoryAccessPolicy() throws -> AccessPolicy {
    try AccessPolicy(contentsOf: repositoryPolicy, catalog: contracts)
}

/// The first valid example of an event type, as a complete event or message.
func example(_ eventType: String, _ index: Int = 0) throws -> JSONValue {
    guard let event = contracts.event(type: eventType, version: 1), event.validExamples.count > index else {
        throw ExampleMissing(eventType: eventType)
    }
    return event.validExamples[index]
}

struct ExampleMissing: Error { var eventType: String }

extension JSONValue {
    /// The member at a dotted path (`payload.consent.scope`), or nil.
    subscript(path path: String) -> JSONValue? {
        var current: JSONValue? = self
        for name in path.split(separator: ".") {
            guard case .object(let members)? = current else { return nil }
            current = members[String(name)]
        }
        return current
    }

    /// The member names of an object.
    var memberNames: Set<String> {
        guard case .object(let members) = self else { return [] }
        return Set(members.keys)
    }
}

func requester(_ roles: [AccessRole], _ kind: String?, _ purpose: AccessPurpose, subject: String = "someone", agency: String = "MO-TEST") -> Requester {
    Requester(subject: subject, agencyId: agency, agencyKind: kind, roles: roles, purpose: purpose)
}

extension JSONValue {
    /// A copy with the member at a dotted path set (objects along the way must exist).
    func setting(_ path: String, to value: JSONValue) -> JSONValue {
        let names = path.split(separator: ".").map(String.init)
        func set(_ current: JSONValue, _ rest: ArraySlice<String>) -> JSONValue {
            guard let name = rest.first, case .object(var members) = current else { return value }
            members[name] = rest.count == 1 ? value : set(members[name] ?? .object([:]), rest.dropFirst())
            return .object(members)
        }
        return set(self, names[...])
    }
}

/// A scratch copy of the repository's `Topics/` with `edits` (file, old text, new text) made,
/// loaded; the copy is removed.
func editedContracts(_ edits: [(String, String, String)]) throws -> TopicCatalog {
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("policy-topics-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: repositoryTopics, to: copy)
    defer { try? FileManager.default.removeItem(at: copy) }
    for (file, old, new) in edits {
        let url = copy.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        guard text.components(separatedBy: old).count == 2 else { throw ExampleMissing(eventType: "\(file): \(old)") }
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
    }
    return try TopicCatalog.load(from: copy)
}
