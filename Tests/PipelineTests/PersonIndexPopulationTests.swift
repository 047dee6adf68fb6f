import Foundation
import PersonIndex
import PersonIndexService
import Testing

@testable import Pipeline

/// `persons.population` reaches the person index that `serve` and `replay` build (both make
/// their services through `ServiceFactory`), so a rebuilt index decides with the prior the
/// running one used.
@Suite struct PersonIndexPopulationTests {
    @Test func theIndexDecidesWithThePriorOfTheConfiguredPopulation() throws {
        for (population, prior) in [(IncrementalMatcher.defaultPopulation, 1e-5), (6_000, 1.0 / 6_000)] {
            var configuration = ApplicationConfiguration(
                broker: .external(bootstrapServers: ["kafka:9092"]), dataDirectory: URL(fileURLWithPath: "/nonexistent"),
                services: [.personIndex], catalog: catalog)
            if population != IncrementalMatcher.defaultPopulation { configuration.personsPopulation = population }
            let factory = ServiceFactory(configuration: configuration, bootstrapServers: ["kafka:9092"], embedded: false)
            let projection = try #require(try factory.makeProjection(.personIndex, onNotificationStored: { _ in }) as? PersonIndexProjection)
            #expect(abs(projection.store.matcher.model.matchPrior - prior) < 1e-12, "population \(population)")
            #expect(projection.population == population, "the population checked at start is the one the model was made with")
        }
    }

    /// `persons.link-threshold` and `persons.review-threshold` reach the index's decisions.
    @Test func theIndexDecidesByTheConfiguredThresholds() throws {
        for (link, review) in [(0.99, 0.5), (0.995, 0.3)] {
            var configuration = ApplicationConfiguration(
                broker: .external(bootstrapServers: ["kafka:9092"]), dataDirectory: URL(fileURLWithPath: "/nonexistent"),
                services: [.personIndex], catalog: catalog)
            if link != 0.99 { (configuration.personsLinkThreshold, configuration.personsReviewThreshold) = (link, review) }
            let factory = ServiceFactory(configuration: configuration, bootstrapServers: ["kafka:9092"], embedded: false)
            let projection = try #require(try factory.makeProjection(.personIndex, onNotificationStored: { _ in }) as? PersonIndexProjection)
            #expect(projection.store.matcher.configuration.linkThreshold == link)
            #expect(projection.store.matcher.configuration.reviewThreshold == review)
        }
    }

    /// `persons.learning` reaches the index too: on by default, off keeps the built-in model.
    @Test func theIndexLearnsUnlessConfiguredNotTo() throws {
        for learning in [true, false] {
            var configuration = ApplicationConfiguration(
                broker: .external(bootstrapServers: ["kafka:9092"]), dataDirectory: URL(fileURLWithPath: "/nonexistent"),
                services: [.personIndex], catalog: catalog)
            if !learning { configuration.personsLearning = false }
            let factory = ServiceFactory(configuration: configuration, bootstrapServers: ["kafka:9092"], embedded: false)
            let projection = try #require(try factory.makeProjection(.personIndex, onNotificationStored: { _ in }) as? PersonIndexProjection)
            #expect(projection.store.learning.enabled == learning)
        }
    }
}
