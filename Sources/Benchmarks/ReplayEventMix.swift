import Contracts
import Demo
import Foundation

/// The replay benchmark's workload: `count` mixed, contract-valid events about a population of
/// people (by default one per 20 events), deterministic for a seed, spread evenly over a year.
///
/// First the agency directory (`reference.agencies`, which the service reads before anything
/// else), then a stream in which each step picks a person and a kind of event by weight — a
/// police contact is common, a withdrawn bulletin rare — and follows the person's story so the
/// views see what they would in the field: supervision starts before an officer is assigned or
/// conditions set, a warrant is issued before it is served, a release is scheduled before it
/// is completed or moved, a bulletin published before it is withdrawn, an investigation opened
/// before it is updated or closed. A step whose precondition does not hold emits the event that
/// would create it instead. Incidents and investigations name people of the same population,
/// so the caseload, high-needs and safety views join them to supervisees.
///
/// Every event type the `views` service applies is produced except `bus.notifications`' routed
/// notices (signed by the other services; the release board's share of the work) and the
/// release cancellations, quashed warrants and retired agencies, which take the same paths as
/// their siblings.
struct ReplayEventMix {
    /// One generated event and its Kafka timestamp (the moment it occurred).
    struct Event {
        var scenario: ScenarioEvent
        var timestampMilliseconds: Int64
    }

    enum Kind: CaseIterable {
        case caseStarted, officerAssigned, conditionsSet, addressChanged, caseEnded, assessment
        case arrest, booking, contact, incident
        case investigationOpened, investigationUpdated, investigationClosed
        case warrantIssued, warrantServed, warrantRecalled, detainerLodged, detainerLifted
        case releaseScheduled, releaseChanged, releaseCompleted
        case bulletinPublished, bulletinWithdrawn, agencyDescribed

        /// How often each kind is picked, per 1,000 steps.
        var weight: Int {
            switch self {
            case .caseStarted: 60
            case .officerAssigned: 35
            case .conditionsSet: 50
            case .addressChanged: 45
            case .caseEnded: 10
            case .assessment: 60
            case .arrest: 85
            case .booking: 60
            case .contact: 190
            case .incident: 50
            case .investigationOpened: 20
            case .investigationUpdated: 12
            case .investigationClosed: 8
            case .warrantIssued: 70
            case .warrantServed: 40
            case .warrantRecalled: 10
            case .detainerLodged: 20
            case .detainerLifted: 10
            case .releaseScheduled: 70
            case .releaseChanged: 10
            case .releaseCompleted: 50
            case .bulletinPublished: 20
            case .bulletinWithdrawn: 8
            case .agencyDescribed: 7
            }
        }
    }

    /// What the stream remembers of a person between their events.
    struct Person {
        var subject: SubjectIdentifiers
        var city: Int
        var address: Address
        var caseId: String?
        var cases = 0
        var lastArrest: String?
        /// Active warrants, each with the court that issued it (which alone recalls it).
        var warrants: [(id: String, court: String)] = []
        /// Active detainers, each with the agency that asked for the hold (which alone lifts it).
        var detainers: [(id: String, requester: String)] = []
        var release: PendingRelease?
        var bulletin: String?
    }

    struct PendingRelease {
        var id: String
        var facility: Facility
        var expectedAt: Date
    }

    /// 2024-06-15T00:00:00Z: the stream's first event; the last comes a year later.
    static let start = Date(timeIntervalSince1970: 1_718_409_600)
    static let span: TimeInterval = 365 * 86_400

    let count: Int
    let population: Int
    let seed: UInt64

    init(events: Int, people: Int? = nil, seed: UInt64 = 0x5EED_2025) {
        count = max(0, events)
        population = max(1, people ?? events / 20)
        self.seed = seed
    }

    /// Generates the whole stream, calling `progress` with the number of events made so far
    /// every 100,000 events.
    func generate(progress: (Int) -> Void = { _ in }) throws -> [Event] {
        var stream = Stream(mix: self)
        var events: [Event] = []
        events.reserveCapacity(count)
        let directory = ReplayWorld.directory
        for index in 0..<count {
            let event = index < directory.count
                ? try stream.described(directory[index], index: index)
                : try stream.next(index: index)
            events.append(event)
            if (index + 1) % 100_000 == 0 {
                try Task.checkCancellation()
                progress(index + 1)
            }
        }
        return events
    }

    /// The generator's state while it runs: the random stream, the people, the open
    /// investigations and the kinds' cumulative weights.
    struct Stream {
        var random: SeededGenerator
        var people: [Person]
        var officers: [Officer]
        var investigations: [(id: String, city: Int)] = []
        let mix: ReplayEventMix
        private let kinds: [Kind]
        private let cumulative: [Int]

        init(mix: ReplayEventMix) {
            self.mix = mix
            var random = SeededGenerator(seed: mix.seed)
            officers = (0..<max(10, mix.population / 50)).map { index in
                Officer(officerId: "PP-\(index)", name: "P.O. \(random.pick(ReplayWorld.givenNames)) \(random.pick(ReplayWorld.familyNames))",
                        phone: "+1 816 555 \(String(format: "%04d", index % 10_000))")
            }
            people = (0..<mix.population).map { index in
                let city = random.index(ReplayWorld.cities.count)
                // Numbered from 1: "MO00000000" would say "no state ID" (`PersonNumberPlaceholder`).
                let subject = SubjectIdentifiers(
                    stateId: "MO\(String(format: "%08d", index + 1))", fbiNumber: random.chance(33) ? "F\(String(format: "%07d", index + 1))" : nil,
                    name: PersonName(given: random.pick(ReplayWorld.givenNames), family: random.pick(ReplayWorld.familyNames)),
                    dateOfBirth: CalendarDate(year: 1960 + random.index(45), month: 1 + random.index(12), day: 1 + random.index(28)))
                return Person(subject: subject, city: city, address: Self.address(in: city, &random))
            }
            self.random = random
            kinds = Kind.allCases
            var total = 0
            cumulative = kinds.map { kind in
                total += kind.weight
                return total
            }
        }

        /// The moment of the `index`th event: evenly spread over the year.
        func time(_ index: Int) -> Date {
            ReplayEventMix.start.addingTimeInterval(ReplayEventMix.span * Double(index) / Double(max(1, mix.count)))
        }

        mutating func pickKind() -> Kind {
            let draw = random.index(cumulative.last ?? 1)
            return kinds[cumulative.firstIndex { draw < $0 } ?? 0]
        }

        static func address(in city: Int, _ random: inout SeededGenerator) -> Address {
            let place = ReplayWorld.cities[city]
            let coordinates = random.chance(60)
                ? Coordinates(latitude: place.latitude + Double(random.index(1_000) - 500) / 10_000,
                              longitude: place.longitude + Double(random.index(1_000) - 500) / 10_000)
                : nil
            return Address(
                line1: "\(100 + random.index(9_800)) \(random.pick(ReplayWorld.streets))", line2: random.chance(15) ? "Apt \(1 + random.index(30))" : nil,
                city: place.name, state: "MO", postalCode: random.pick(place.postalCodes), coordinates: coordinates)
        }
    }
}
