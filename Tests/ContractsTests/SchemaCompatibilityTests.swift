import Contracts
import Foundation
import Testing

@Suite("check-compat: breaking changes between schema versions")
struct SchemaCompatibilityTests {
    static let catalog = try! TopicCatalog.load(from: repositoryTopics)
    var old: JSONValue { Self.catalog.schemaDocuments["custody.release.scheduled.v1"]! }

    func edited(_ change: (inout JSONValue) -> Bool) -> JSONValue {
        var document = old
        #expect(change(&document))
        return document
    }

    @Test("a schema is compatible with itself")
    func same() {
        #expect(SchemaCompatibility.breaks(from: old, to: old) == [])
    }

    @Test("removing a required field, narrowing a type or enum, and a new required field break consumers")
    func breaking() {
        let removed = edited { $0.setting(["properties", "payload", "required"], to: ["releaseId", "expectedAt", "releaseType"]) }
        #expect(SchemaCompatibility.breaks(from: old, to: removed).map(\.description) == ["$.payload.facility: required field is no longer required (now optional)"])

        let narrowed = edited { $0.setting(["properties", "payload", "properties", "releaseType"], to: ["type": "string", "enum": ["parole", "bail_bond"]]) }
        #expect(SchemaCompatibility.breaks(from: old, to: narrowed).first?.description.hasPrefix("$.payload.releaseType: enumeration narrowed") == true)

        let retyped = edited { $0.setting(["properties", "payload", "properties", "releaseId"], to: ["type": "integer"]) }
        #expect(SchemaCompatibility.breaks(from: old, to: retyped).map(\.description) == ["$.payload.releaseId: type narrowed from string to integer"])

        let newRequired = edited { $0.setting(["properties", "payload", "required"], to: ["releaseId", "facility", "expectedAt", "releaseType", "destination"]) }
        #expect(SchemaCompatibility.breaks(from: old, to: newRequired).map(\.description) == ["$.payload.destination: new required field without a default; events from old producers lack it"])
    }
}

extension JSONValue {
    /// Test helper: sets a member along a path of keys.
    mutating func setting(_ keys: [String], to value: JSONValue) -> Bool {
        guard let first = keys.first, case .object(var members) = self else { return false }
        if keys.count == 1 {
            members[first] = value
        } else {
            guard var child = members[first], child.setting(Array(keys.dropFirst()), to: value) else { return false }
            members[first] = child
        }
        self = .object(members)
        return true
    }
}
