import ArgumentParser
import Contracts
import Foundation

struct TopicsCheckCompat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-compat",
        abstract: "Fail if a new event schema would break consumers of the old one.",
        discussion: """
            OLD and NEW are JSON Schema documents, e.g. Topics/schemas/x.v1.schema.json and \
            x.v2.schema.json, or an old copy of a schema and its edited export. Prints one line \
            per breaking change and exits with status 1 if there is any.
            """)

    @Argument(help: "The schema consumers were written for.")
    var old: String

    @Argument(help: "The proposed schema.")
    var new: String

    func run() async throws {
        let breaks = SchemaCompatibility.breaks(from: try load(old), to: try load(new))
        for item in breaks { print("breaking: \(item)") }
        guard breaks.isEmpty else {
            print("\(breaks.count) breaking change(s): publish the new schema as a new version, or keep it compatible")
            throw ExitCode.failure
        }
        print("compatible: consumers of \(old) can read events valid against \(new)")
    }

    private func load(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("Cannot read \(path).") }
        do {
            return try JSONValue(parsing: data, limits: JSONDecodingLimits(maxDocumentBytes: 16 << 20))
        } catch {
            throw ValidationError("\(path) is not JSON: \(error)")
        }
    }
}
