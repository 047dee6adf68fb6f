import Contracts
import Demo
import Foundation
import GRDB
import Kafka
import Metrics
import Notifications
import Observability
import Pipeline
import TestSupport
import Storage
import Testing

@testable import ServiceKit

/// The services' metrics as Prometheus sees them: a router on the embedded broker, scraped over
/// HTTP; and what a projection counts being kept only with its event's changes.
@Suite struct ServiceMetricsTests {
    /// Someone no other test uses, so that the scrape can be searched for their identifiers.
    struct Person {
        let suffix = String(UInt32.random(in: 1_000_000...9_999_999))
        var stateId: String { "MO\(suffix)" }
        var fbiNumber: String { "Q\(suffix)" }
        var given: String { "Zebulon\(suffix)" }
        var family: String { "Quartermaine" }
        var subject: SubjectIdentifiers {
            SubjectIdentifiers(
                stateId: stateId, fbiNumber: fbiNumber, name: PersonName(given: given, family: family),
                dateOfBirth: CalendarDate("1991-03-09"))
        }
        var caseId: String { "PP-KC-\(suffix)" }
        var arrestId: String { "KCPD-A-\(suffix)" }
        /// Everything about the person and their case that must never appear in a metric.
        var identifiers: [String] { [stateId, stateId.lowercased(), fbiNumber, given, family, caseId, arrestId, DemoScenario.brooks.officerId] }
    }

    /// A supervision case, an arrest of the supervisee (one notification) and an arrest that
    /// breaks its contract (one dead letter): `/metrics` then has the applied events per type,
    /// the notification per rule and priority, the dead letter, an empty outbox and the batch
    /// commit times, all labelled by service, and no label (nor anything else in the text)
    /// holds the person's identifiers or name.
    @Test func aRouterRunIsScrapedWithBoundedLabelsAndNoPersonalData() async throws {
        let export = MetricsExport()
        let person = Person()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("observability-test-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = ApplicationConfiguration(
            broker: .embedded(brokers: 1), dataDirectory: directory, services: [.router], catalog: catalog)
        // The services take the factory current when they are built: this test's own registry.
        let application = try withMetricsFactory(export.factory) { try buildApplication(configuration, logger: testLogger) }
        let router = try #require(application.services[.router])
        let kafka = try #require(application.kafka)
        let listening = Observed<ListenAddress?>(nil)
        try application.addService(
            ObservabilityService(
                configuration: .init(address: try ListenAddress(parsing: "127.0.0.1:0")), export: export,
                readiness: .servicesJoined(["router": router.progress]), logger: testLogger,
                onListening: { address in listening.update { $0 = address } }),
            named: "observability")

        try await within(.seconds(120), "the router to handle the events and be scraped") {
            let run = Task { try await application.run() }
            await listening.wait { $0 != nil }
            let port = try #require(listening.value).port
            await router.progress.wait { $0.joinedGroup }
            #expect(try await get("/health/ready", port: port).status == 200)

            let now = Date()
            let caseStarted = try DemoScenario.caseStarted(
                person.subject, caseId: person.caseId, officer: DemoScenario.brooks, startDate: DemoScenario.day(now, -30), now: now, id: UUID())
            let arrest = try DemoScenario.arrest(person.subject, arrestId: person.arrestId, at: now.addingTimeInterval(-3_600), now: now, id: UUID())
            let broken = try DemoScenario.arrest(person.subject, arrestId: person.arrestId, at: now, now: now, id: UUID())
            var brokenMessage = broken.message
            brokenMessage.value = Array(#"{"subject":{"stateId":"\#(person.stateId)"}}"#.utf8)  // breaks the contract

            let producer = try KafkaProducer(configuration: kafka.producerConfiguration(), logger: testLogger)
            #expect(try await producer.sendBatch([caseStarted.message]).allDelivered)
            // The case first, so the arrest finds it.
            await router.progress.wait { $0.consumed("supervision.cases") >= 1 }
            #expect(try await producer.sendBatch([arrest.message, brokenMessage]).allDelivered)
            await producer.shutdown()
            // Two notifications: the arrest's, and the case's new resident for Kansas City's police
            // (no directory here: the city's fallback address, counted as a directory miss).
            await router.progress.wait { progress in
                progress.consumed("police.arrests") >= 2 && progress.published[BusTopic.notifications] == 2
                    && progress.published[BusTopic.deadLetters] == 1
            }

            let scrape = try await get("/metrics", port: port)
            #expect(scrape.status == 200)
            let samples = prometheusSamples(scrape.body)
            let ofRouter = ["service": "router"]
            #expect(samples.value("reentrybus_events_applied_total", ["service": "router", "event_type": "supervision.case.started"]) == 1)
            #expect(samples.value("reentrybus_events_applied_total", ["service": "router", "event_type": "police.arrest.made"]) == 1)
            #expect(samples.value(
                "reentrybus_notifications_total", ["service": "router", "rule": "supervisee-arrested", "priority": "high"]) == 1)
            #expect(samples.value("reentrybus_dead_letters_total", ofRouter) == 1)
            #expect(samples.value("reentrybus_outbox_depth", ofRouter) == 0)
            let batches = try #require(samples.value("reentrybus_batch_commit_seconds_count", ofRouter))
            #expect(batches >= 2)
            #expect(samples.value("reentrybus_batch_commit_seconds_bucket", ofRouter.merging(["le": "+Inf"]) { $1 }) == batches)
            #expect((samples.value("reentrybus_batch_commit_seconds_sum", ofRouter) ?? 0) > 0)
            // Where the batches' time went: the rules and their statements took some. The
            // progress adds a batch's stages once its outbox is delivered: the case's batch was
            // (the arrest's delivery, which published what was awaited, began after it).
            for stage in ["admitting", "applying_rules", "applying_statements", "beginning_and_committing"] {
                #expect((samples.value("reentrybus_batch_stage_seconds_total", ofRouter.merging(["stage": stage]) { $1 }) ?? 0) > 0, "stage \(stage)")
            }
            let stages = router.progress.snapshot.stages
            #expect(stages.batches >= 1 && stages.messages >= 1 && stages.applyingRules > .zero)
            // And how many statements they ran: counted at each commit, so at least what the
            // progress counted once the outboxes were delivered, and more than one a message.
            #expect((samples.value("reentrybus_batch_statements_total", ofRouter) ?? 0) >= Double(stages.statementCount))
            #expect(stages.statementCount > stages.messages)

            for sample in samples {
                for (name, value) in sample.labels {
                    #expect(["service", "event_type", "rule", "priority", "le", "client", "topic", "database", "kind", "stage"].contains(name), "unexpected label in \(sample)")
                    for identifier in person.identifiers {
                        #expect(!value.contains(identifier), "label \(name) of \(sample.name) holds \(identifier)")
                    }
                }
            }
            for identifier in person.identifiers {
                #expect(!scrape.body.contains(identifier), "the scrape holds \(identifier)")
            }

            await application.triggerGracefulShutdown()
            try await run.value
        }
    }

    /// A projection that counts every arrest, then rejects the one with `poisonEventId`.
    struct CountingProjection: EventProjection {
        let name = "counting"
        let topics = ["police.arrests"]
        let poisonEventId: String

        let migrations: [StorageMigration] = []
        func handles(eventType: String) -> Bool { eventType == "police.arrest.made" }
        func apply(_ event: AdmittedEvent, in transaction: ProjectionTransaction) throws {
            transaction.countOnCommit("reentrybus_counted_total", dimensions: [(name: "rule", value: "counting-rule")])
            if event.eventId == poisonEventId { throw PoisonMessage(reason: "rejected by the test") }
        }
    }

    /// A count asked for while applying an event whose changes are then rolled back (a poison
    /// message) is dropped with them; the others are kept, and events applied are counted per type.
    @Test func aCountIsKeptOnlyWithItsEventsChanges() async throws {
        let now = Date()
        let person = Person()
        let kept = try DemoScenario.arrest(person.subject, arrestId: person.arrestId, at: now, now: now, id: UUID())
        let rejected = try DemoScenario.arrest(person.subject, arrestId: person.arrestId + "-2", at: now, now: now, id: UUID())
        let projection = CountingProjection(poisonEventId: rejected.eventId)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("counting-\(UUID().uuidString.prefix(8)).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let client = KafkaClientConfiguration(bootstrapServers: ["127.0.0.1:1"], clientID: "counting")
        let service = EventConsumerService(
            projection: projection,
            database: try ServiceDatabase(path: path, migrations: projection.migrations),
            admission: .contracts(EventValidator(catalog: catalog)),
            configuration: .init(
                consumer: KafkaConsumerConfiguration(client: client, groupID: "counting", topics: []),
                producer: KafkaProducerConfiguration(client: client)),
            logger: testLogger)
        let messages = [kept, rejected].enumerated().map { offset, event in
            KafkaConsumerMessage(
                topicPartition: TopicPartition(topic: "police.arrests", partition: 0), offset: KafkaOffset(Int64(offset)),
                key: Array(event.key.utf8), value: event.value, headers: event.headers)
        }
        let outcome = try await service.applyBatch(messages, acknowledged: nil, published: 0)
        #expect(outcome.deadLettered == 1)
        #expect(outcome.appliedByType == ["police.arrest.made": 1])
        #expect(outcome.counts == [ProjectionCount(label: "reentrybus_counted_total", dimensions: [.init(name: "rule", value: "counting-rule")])])
    }

    /// A dimension value that is not a short code becomes `other`: a name or an id that a rule
    /// passed by mistake never becomes a label.
    @Test(arguments: [
        ("supervisee-arrested", "supervisee-arrested"), ("high", "high"), ("warrant.check_v2", "warrant.check_v2"),
        ("MO1234567", "other"), ("Darnell Reyes", "other"), ("", "other"), (String(repeating: "a", count: 65), "other"),
        ("reyes@example.org", "other"),
    ])
    func aDimensionValueThatIsNotAShortCodeIsCountedAsOther(value: String, label: String) {
        #expect(ProjectionCount.boundedValue(value) == label)
    }
}
