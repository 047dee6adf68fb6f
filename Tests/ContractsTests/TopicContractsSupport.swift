import Contracts
import Foundation

/// The repository's `Topics/` directory.
let repositoryTopics = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Topics", isDirectory: true)

/// Calls `body` with every valid example of every event of `catalog`: its payload type, its
/// bytes and the event's qualified name. Returns how many there were.
@discardableResult
func forEachValidEventExample(
    in catalog: TopicCatalog, _ body: (any EventPayload.Type, [UInt8], String) throws -> Void
) throws -> Int {
    var count = 0
    for topic in catalog.topics where topic.valueFormat == .event {
        for event in topic.events {
            guard let type = EventTypes.payloadType(eventType: event.type, version: event.version) else {
                throw MissingPayloadType(event: event.qualifiedName)
            }
            for example in event.validExamples {
                try body(type, Array(example.description.utf8), event.qualifiedName)
                count += 1
            }
        }
    }
    return count
}

struct MissingPayloadType: Error, CustomStringConvertible {
    var event: String
    var description: String { "no Swift payload type for \(event) in EventTypes.all" }
}

/// A scratch copy of `Topics/` that a test may break; removed by the caller.
func copyOfTopics() throws -> URL {
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("topics-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: repositoryTopics, to: copy)
    return copy
}

/// Replaces the one occurrence of `old` in a file of `directory`; throws when it occurs other
/// than once (a contract edited since the test was written), failing that test alone.
func edit(_ file: String, in directory: URL, replacing old: String, with new: String) throws {
    let url = directory.appendingPathComponent(file)
    let text = try String(contentsOf: url, encoding: .utf8)
    let occurrences = text.components(separatedBy: old).count - 1
    guard occurrences == 1 else { throw ContractEditError(file: file, text: old, occurrences: occurrences) }
    try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: url)
}

struct ContractEditError: Error, CustomStringConvertible {
    var file: String
    var text: String
    var occurrences: Int
    var description: String { "\(text.debugDescription) must occur exactly once in \(file), occurs \(occurrences) times" }
}
