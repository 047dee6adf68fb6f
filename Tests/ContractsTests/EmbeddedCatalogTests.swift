import Contracts
import Foundation
import Testing

@Suite("The contracts built into the program")
struct EmbeddedCatalogTests {
    @Test("equal the repository's Topics/: same topics, events, examples and schema documents")
    func embeddedEqualsRepository() throws {
        let embedded = try TopicCatalog.embedded()
        let repository = try TopicCatalog.load(from: repositoryTopics)
        #expect(embedded.topics.map(\.name) == repository.topics.map(\.name))
        #expect(embedded.topics.map { $0.events.map(\.qualifiedName) } == repository.topics.map { $0.events.map(\.qualifiedName) })
        #expect(embedded.schemaDocuments == repository.schemaDocuments)
        #expect(embedded.exportedFiles == repository.exportedFiles)
        #expect(embedded.glossary.enumerations.keys.sorted() == repository.glossary.enumerations.keys.sorted())
    }

    @Test("hold every file of Topics/ byte for byte (a build after editing a contract copies it)")
    func bundleHoldsEveryFile() throws {
        let bundle = try #require(TopicCatalog.embeddedDirectory)
        let files = try #require(FileManager.default.enumerator(atPath: repositoryTopics.path)).compactMap { $0 as? String }
        var compared = 0
        for relative in files.sorted() {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: repositoryTopics.appendingPathComponent(relative).path, isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            // SwiftPM's `.process` rule puts every file at the bundle's top level.
            let copy = bundle.appendingPathComponent(URL(fileURLWithPath: relative).lastPathComponent)
            #expect(FileManager.default.contents(atPath: copy.path) == FileManager.default.contents(atPath: repositoryTopics.appendingPathComponent(relative).path),
                    "\(relative) differs in \(bundle.path)")
            compared += 1
        }
        #expect(compared > 60)
    }

    @Test("pass the same checks as Topics/, apart from the generated files")
    func embeddedIsValid() throws {
        let report = try TopicCatalog.checkEmbedded()
        #expect(report.problems.map(\.description) == [])
        #expect(report.topics == TopicCatalog.check(directory: repositoryTopics).topics)
    }
}
