import Contracts
import Foundation
import Testing

@Suite("Topic contracts in Topics/")
struct TopicCatalogTests {
    @Test("the repository's contracts pass every check, exported files included")
    func repositoryIsValid() throws {
        let report = TopicCatalog.check(directory: repositoryTopics)
        #expect(report.problems.map(\.description) == [])
        #expect(report.topics >= 10)
        #expect(report.eventVersions >= 27)
        #expect(report.invalidExamples >= report.eventVersions)
    }

    @Test("every topic declares key, partitions, retention, producers and consumers")
    func topicsAreComplete() throws {
        let catalog = try TopicCatalog.load(from: repositoryTopics)
        for topic in catalog.topics {
            #expect(!topic.key.why.isEmpty)
            #expect(topic.partitions > 0)
            #expect(!topic.producers.isEmpty && !topic.consumers.isEmpty)
            #expect(topic.configs["retention.ms"] != nil)
        }
        #expect(catalog.topic(named: "supervision.mental-health-bulletins")?.cleanupPolicy == .compact)
        #expect(catalog.topic(forEventType: "courts.detainer.lodged")?.name == "courts.warrants")
    }

    @Test("a broken schema is reported with its file and path")
    func brokenSchema() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        try edit("custody.releases.yaml", in: copy,
                 replacing: "supervision changed.\n    payload:\n      type: object\n      required: [releaseId, reason]\n      additionalProperties: false\n      minProperties: 3\n      properties:\n        releaseId: {type: string, minLength: 1, maxLength: 40}\n        reason: {type: string, minLength: 1,",
                 with: "supervision changed.\n    payload:\n      type: object\n      required: [releaseId, reason]\n      additionalProperties: false\n      minProperties: 3\n      properties:\n        releaseId: {type: string, minLength: 1, maxLength: 40}\n        reason: {type: string, minLength: -1,")
        let problems = TopicCatalog.check(directory: copy).problems
        let problem = try #require(problems.first)
        #expect(problem.file == "custody.releases.yaml")
        #expect(problem.path == "$.events[1].payload.properties.reason.minLength")
        #expect(problem.message.contains("minLength"))
    }

    @Test("a valid example the schema rejects is reported with its path and the violation")
    func rejectedValidExample() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        // Version 1's example (version 2's has a subject line between source and payload).
        let example = "        - source: {agencyId: MO-CIRCUIT16, agencyKind: court}\n          payload:\n            warrantId: \"1616-CR-02291-W1\"\n            warrantKind: "
        try edit("courts.warrants.yaml", in: copy, replacing: example + "failure_to_appear", with: example + "failure-to-appear")
        let problems = TopicCatalog.check(directory: copy).problems.filter { !$0.file.hasPrefix("examples/") }
        #expect(problems.count == 1)
        #expect(problems.first?.file == "courts.warrants.yaml")
        #expect(problems.first?.path == "$.events[0].examples.valid[0]")
        #expect(problems.first?.message.contains("$.payload.warrantKind [enum]") == true)
    }

    @Test("an invalid example that passes, or fails differently, is reported")
    func invalidExampleExpectations() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        // The schema no longer limits the bond: the invalid example is accepted.
        // (Version 1's schema: version 2's description ends otherwise.)
        let schema = """
            issued a warrant for the subject.
                payload:
                  type: object
                  required: [warrantId, warrantKind, issuedOn, issuingAgencyId]
                  additionalProperties: false
                  properties:
                    warrantId: {type: string, minLength: 1, maxLength: 40}
                    warrantKind: {$ref: "#/$defs/warrantKind"}
                    issuedOn: {type: string, format: date}
                    issuingAgencyId: {$ref: "#/$defs/agencyId"}
                    caseNumber: {type: string, minLength: 1, maxLength: 40}
                    charges:
                      type: array
                      maxItems: 50
                      items: {$ref: "#/$defs/charge"}

            """
        try edit("courts.warrants.yaml", in: copy, replacing: schema + "        bondAmount: {type: number, minimum: 0}", with: schema + "        bondAmount: {type: number}")
        // The declared keyword is wrong (version 1's example: version 2's follows it).
        try edit("supervision.cases.yaml", in: copy, replacing: "expect: {path: $.payload.address.postalCode, keyword: pattern}\n\n  # Version 2",
                 with: "expect: {path: $.payload.address.postalCode, keyword: maxLength}\n\n  # Version 2")
        let problems = TopicCatalog.check(directory: copy).problems.filter { $0.file.hasSuffix(".yaml") }
        #expect(problems.map(\.file) == ["courts.warrants.yaml", "supervision.cases.yaml"])
        #expect(problems.first?.path == "$.events[0].examples.invalid[0]")
        #expect(problems.first?.message.contains("is accepted") == true)
        #expect(problems.last?.path == "$.events[4].examples.invalid[0]")
        #expect(problems.last?.message.contains("but not maxLength at $.payload.address.postalCode") == true)
    }

    @Test("an unclassified field, a bad key and an unknown agency kind are reported")
    func classificationsAndKeys() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        // Version 1's (version 2 classifies the same fields): the context after it is its example's.
        let v1Tail = "      payload.location: cji\n      payload.victims: [pii, cji]\n      payload.suspects: [pii, cji]\n      payload.reportNumber: cji\n    examples:\n      valid:\n        - source: {agencyId: MO-KCPD, agencyKind: police}\n          subject: null\n          payload:\n            incidentId: KCPD-I-25-004512\n"
        try edit("police.incidents.yaml", in: copy, replacing: "      payload.incidentAt: cji\n" + v1Tail, with: v1Tail)
        try edit("police.incidents.yaml", in: copy, replacing: "field: payload.incidentId", with: "field: payload.reportNumber")
        try edit("records.sealing.yaml", in: copy, replacing: "producers: [court]", with: "producers: [judge]")
        let problems = TopicCatalog.check(directory: copy).problems.filter { $0.file.hasSuffix(".yaml") }.map(\.description)
        #expect(problems.contains("police.incidents.yaml: $.events[0].fields: field payload.incidentAt has no classification"))
        #expect(problems.contains { $0.hasPrefix("police.incidents.yaml: $.events[0].payload: the topic is keyed by payload.reportNumber") })
        #expect(problems.contains("records.sealing.yaml: $.producers[0]: \"judge\" is not an agencyKind or busService in the glossary"))
    }

    @Test("an event's own consumers must be among its topic's")
    func eventConsumers() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        let catalog = try TopicCatalog.load(from: copy)
        let identity = try #require(catalog.topic(named: "bus.identity"))
        let decided = try #require(identity.events.first { $0.type == "bus.identity.decided" })
        #expect(decided.readers(on: identity) == ["operations"])
        #expect(try #require(identity.events.first { $0.type == "bus.identity.linked" }).readers(on: identity) == identity.consumers)
        try edit("bus.identity.yaml", in: copy, replacing: "    consumers: [operations]\n    description: >\n      A human decided",
                 with: "    consumers: [inbox]\n    description: >\n      A human decided")
        let problems = TopicCatalog.check(directory: copy).problems.filter { $0.file == "bus.identity.yaml" }.map(\.description)
        #expect(problems.contains { $0.hasSuffix(".consumers[0]: \"inbox\" is not among the topic's consumers") }, "\(problems)")
    }

    @Test("YAML syntax errors and unknown keys name the file")
    func malformedFiles() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        try edit("police.contacts.yaml", in: copy, replacing: "partitions: 12", with: "partitions: [12")
        try edit("police.arrests.yaml", in: copy, replacing: "partitions: 12", with: "partition: 12")
        let problems = TopicCatalog.check(directory: copy).problems.filter { $0.file.hasSuffix(".yaml") }
        #expect(problems.contains { $0.file == "police.contacts.yaml" && $0.message.hasPrefix("not valid YAML") })
        #expect(problems.contains { $0.file == "police.arrests.yaml" && $0.path == "$.partition" && $0.message.hasPrefix("unknown key") })
        #expect(throws: ContractLoadingError.self) { try TopicCatalog.load(from: copy) }
    }

    @Test("an edited contract whose exported schema was not regenerated is reported")
    func staleExport() throws {
        let copy = try copyOfTopics()
        defer { try? FileManager.default.removeItem(at: copy) }
        try edit("police.arrests.yaml", in: copy, replacing: "retention: 365d", with: "retention: 400d")
        #expect(TopicCatalog.check(directory: copy).isValid)  // retention is not in the schema
        try edit("police.arrests.yaml", in: copy, replacing: "        reportNumber: {type: string, minLength: 1, maxLength: 40}\n    fields:",
                 with: "        reportNumber: {type: string, minLength: 1, maxLength: 41}\n    fields:")
        let problems = TopicCatalog.check(directory: copy).problems
        #expect(problems.map(\.file) == ["schemas/police.arrest.made.v1.schema.json"])
        let catalog = try TopicCatalog.load(from: copy)
        #expect(try catalog.export(to: copy) == ["schemas/police.arrest.made.v1.schema.json"])
        #expect(TopicCatalog.check(directory: copy).isValid)
    }

    @Test("exported schemas stand alone: they compile without the contracts")
    func exportedSchemasStandAlone() throws {
        let catalog = try TopicCatalog.load(from: repositoryTopics)
        for (path, text) in catalog.exportedFiles where path.hasPrefix("schemas/") {
            let schema = try JSONSchema(try JSONValue(parsing: text, limits: JSONDecodingLimits(maxDocumentBytes: 1 << 20)))
            let name = String(path.dropFirst("schemas/".count).dropLast(".schema.json".count))
            let examples = try JSONValue(parsing: catalog.exportedFiles["examples/\(name).json"]!, limits: JSONDecodingLimits(maxDocumentBytes: 1 << 20))
            guard case .array(let events) = examples else { Issue.record("examples of \(name) are not a list"); continue }
            for event in events { #expect(schema.validate(event) == [], "\(name)") }
        }
    }
}
