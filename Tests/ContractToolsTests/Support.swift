import Contracts
import Foundation
import Logging
import TestSupport
import Testing

@testable import Kafka

let testLogger = makeTestLogger("contract-tools-tests")

/// The repository's `Topics/` directory and the catalog loaded from it.
let repositoryTopics = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Topics", isDirectory: true)
let catalog = try! TopicCatalog.load(from: repositoryTopics)

/// Valid examples of `eventType`, each with a fresh event id, as compact JSON lines.
func exampleLines(_ eventType: String, count: Int) -> [String] {
    let examples = catalog.event(type: eventType, version: 1)!.validExamples
    return (0..<count).map { i in
        guard case .object(var members) = examples[i % examples.count] else { fatalError("examples are objects") }
        members["eventId"] = .string(UUID().uuidString.lowercased())
        return JSONValue.object(members).description
    }
}
