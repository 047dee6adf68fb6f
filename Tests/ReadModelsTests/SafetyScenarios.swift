import Contracts
import Foundation
import ServiceKit
import Storage
import Testing

@testable import ReadModels

/// One registered address and how an officer might type it: the variants must find the
/// people registered there, the near misses (another house, street, direction, unit, suffix,
/// city, state or ZIP) must find nobody.
struct AddressVariants: Sendable, CustomTestStringConvertible {
    let registered: Address
    let same: [String]
    let different: [String]

    var testDescription: String { registered.line1 }

    static let all = [
        AddressVariants(
            registered: SafetyEvents.troost,
            same: [
                "4410 N Troost Ave Apt 2B, Kansas City, MO 64110",
                "4410 n. troost avenue #2b, kansas city, mo",
                "4410 NORTH TROOST AVE UNIT 2-B, KANSAS CITY, MISSOURI 64110",
                "4410 N Troost Av, Apt 2B, Kansas City, MO 64110-1234",
                "4410 N. Troost Ave., Suite 2B, Kansas City MO",
                "4410 North Troost Avenue, Kansas City, MO",  // the building: any flat of it
            ],
            different: [
                "4412 N Troost Ave Apt 2B, Kansas City, MO 64110",
                "4410 S Troost Ave Apt 2B, Kansas City, MO 64110",
                "4410 N Troost Ave Apt 3B, Kansas City, MO 64110",
                "4410 N Troost Ave Apt 2, Kansas City, MO 64110",
                "4410 N Troost St Apt 2B, Kansas City, MO 64110",
                "4410 N Troost Ave Apt 2B, Independence, MO 64110",
                "4410 Troost Ave Apt 2B, Kansas City, MO 64110",  // no direction: North or South Troost?
                "4410 N Troost Ave Apt 2B, Kansas City, KS",
                "4410 N Troost Ave Apt 2B, Kansas City, MO 64111",
            ]),
        AddressVariants(
            registered: SafetyEvents.thirtyFirst,
            same: [
                "1200 East 31st St, Kansas City, MO",
                "1200 e 31 st, kansas city, mo 64109",
                "1200 East Thirty-First Street, Kansas City, Missouri",
                "1200 E. 31ST STREET, KANSAS CITY, MO",
                "1200 E 31st St Apt 4, Kansas City, MO",  // a flat of the registered building
            ],
            different: [
                "1200 W 31st St, Kansas City, MO",
                "1200 E 31st Ter, Kansas City, MO",
                "1200 E 32nd St, Kansas City, MO",
                "120 E 31st St, Kansas City, MO",
                "1200 E 31st St, St. Louis, MO",
            ]),
    ]
}

/// The officer-safety check's scenarios, each written once over any database and run on SQLite
/// and PostgreSQL (`SafetyStoreTests`).
enum SafetyScenarios {
    typealias E = SafetyEvents

    /// Reyes (with his mother) at Troost, Okafor at 31st Street, both by address only.
    static func registered() throws -> [AdmittedEvent] {
        [
            try E.caseStarted("PP-1", E.reyes, address: E.thirtyFirst), try E.addressChanged("PP-1", E.reyes, to: E.troost),
            try E.caseStarted("PP-2", E.okafor, address: E.thirtyFirst),
        ]
    }

    static func addressVariantsFindTheSameResidents(_ database: any StorageDatabase, _ variants: AddressVariants) async throws {
        let harness = try await SafetyHarness(on: database)
        try await harness.apply(registered())
        let expected = try await harness.check("\(variants.registered.line1), \(variants.registered.line2 ?? ""), Kansas City, MO")
            .residents.map(\.personKey)
        #expect(!expected.isEmpty)
        for text in variants.same {
            let result = try await harness.check(text)
            #expect(result.residents.map(\.personKey) == expected, "\(text)")
        }
        for text in variants.different {
            let result = try await harness.check(text)
            #expect(result.residents.isEmpty, "\(text) is another address")
        }
    }

    /// Who is registered where: the latest address in effect, with its household, while a
    /// case is active.
    static func residentsAreTheRegisteredPeopleWithTheirHousehold(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        try await harness.apply(registered())
        let troost = try await harness.check("4410 N Troost Ave Apt 2B, Kansas City, MO")
        #expect(troost.residents.map(\.kind) == [.supervisee, .householdMember])
        #expect(troost.residents.map(\.name) == [E.reyes.name, E.angela.name])
        #expect(troost.residents.map(\.personKey) == ["sid:MO1234567", "sid:MO1234567"])
        #expect(troost.residents[0].stateId == "MO1234567" && troost.residents[0].dateOfBirth == E.reyes.dateOfBirth)
        #expect(troost.residents[1].relationship == "mother")
        #expect(troost.residents.allSatisfy { $0.caseId == "PP-1" && $0.registeredAddress == "4410 N TROOST AVE # 2B, KANSAS CITY, MO" })

        // Reyes moved from 31st Street to Troost 40 days ago; Okafor still lives on 31st Street.
        let thirtyFirst = try await harness.check("1200 E 31st St, Kansas City, MO")
        #expect(thirtyFirst.residents.map(\.personKey) == ["sid:MO7654321"])
        let before = try await harness.check("1200 E 31st St, Kansas City, MO", asOf: E.at(days: -45))
        #expect(before.residents.map(\.personKey) == ["sid:MO1234567", "sid:MO7654321"])
        let beforeAnyCase = try await harness.check("1200 E 31st St, Kansas City, MO", asOf: E.at(days: -90))
        #expect(beforeAnyCase.residents.isEmpty)

        // A case that ended takes its people off the address.
        try await harness.apply([try E.caseEnded("PP-2", E.okafor)])
        #expect(try await harness.check("1200 E 31st St, Kansas City, MO").residents.isEmpty)
        #expect(try await harness.check("1200 E 31st St, Kansas City, MO", asOf: E.at(days: -6)).residents.count == 1)
        // Through its end day (UTC), as the caseload and the router count it.
        #expect(try await harness.check("1200 E 31st St, Kansas City, MO", asOf: E.at(days: -5)).residents.count == 1, "the end day")
        #expect(try await harness.check("1200 E 31st St, Kansas City, MO", asOf: E.at(days: -4)).residents.isEmpty, "the day after")
    }

    /// An incident 400 m away shows in a 500 m radius; 600 m away or 31 days old does not.
    static func incidentsWithinTheRadiusInTheLast30Days(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        try await harness.apply([
            try E.incident("I-400", at: E.north(400)),
            try E.incident("I-600", at: E.north(600)),
            try E.incident("I-CORNER", at: E.offset(north: 400, east: 400)),  // in the SQL rectangle, 566 m away
            try E.incident("I-31-DAYS", at: E.north(50), daysAgo: 31),
            try E.incident("I-29-DAYS", at: E.east(450), daysAgo: 29, kind: .robbery),
            try E.incident("I-TOMORROW", at: E.north(10), daysAgo: -1),
            try E.incident("I-FAR", at: Coordinates(latitude: 38.627, longitude: -90.199)),
        ])
        let result = try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: E.home, radius: 500)
        #expect(result.coordinatesFrom == .given)
        #expect(result.incidents.map(\.incidentId) == ["I-400", "I-29-DAYS"], "newest first")
        let near = try #require(result.incidents.first)
        #expect(abs((near.distanceMeters ?? 0) - 400) < 0.5)
        #expect(near.reasons == [.withinRadius] && near.incidentKind == .shooting && near.reportNumber == "R-I-400")
        #expect(abs((result.incidents[1].distanceMeters ?? 0) - 450) < 1)

        let wider = try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: E.home, radius: 1_000)
        #expect(Set(wider.incidents.map(\.incidentId)) == ["I-400", "I-600", "I-CORNER", "I-29-DAYS"])
        let smaller = try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: E.home, radius: 399)
        #expect(smaller.incidents.isEmpty)
        let aWeekLater = try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: E.home, asOf: E.at(days: 7))
        #expect(aWeekLater.incidents.map(\.incidentId) == ["I-TOMORROW", "I-400"])
    }

    /// Without coordinates from the caller, those of an event at the same address are used;
    /// with none at all, only what is recorded at the address itself is listed.
    static func coordinatesComeFromEventsAtTheSameAddress(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        try await harness.apply([
            try E.incident("I-NEAR", at: E.north(300)),
            try E.incident("I-HERE-NO-MAP", at: nil, address: Address(line1: "4410 N. Troost", line2: "Apt 5", city: "Kansas City", state: "MO")),
        ])
        let unknown = try await harness.check("4410 N Troost Ave Apt 2B, Kansas City, MO")
        #expect(unknown.coordinatesFrom == .unknown && unknown.coordinates == nil)
        #expect(unknown.incidents.map(\.incidentId).isEmpty, "4410 N Troost (no suffix) is another street than Troost Ave")

        try await harness.apply([
            try E.incident("I-HERE", at: nil, address: Address(line1: "4410 N. Troost Avenue", city: "Kansas City", state: "MO"), daysAgo: 3)
        ])
        let atAddress = try await harness.check("4410 N Troost Ave Apt 2B, Kansas City, MO")
        #expect(atAddress.incidents.map(\.incidentId) == ["I-HERE"])
        #expect(atAddress.incidents.first?.reasons == [.atAddress] && atAddress.incidents.first?.distanceMeters == nil)

        try await harness.apply([try E.caseStarted("PP-1", E.reyes, address: E.troostOnMap)])
        let placed = try await harness.check("4410 N Troost Ave Apt 2B, Kansas City, MO")
        #expect(placed.coordinatesFrom == .records && placed.coordinates == E.home)
        #expect(placed.incidents.map(\.incidentId) == ["I-NEAR", "I-HERE"])
    }

    /// An open investigation shows when its area contains the address (or it names a
    /// resident); a restricted one shows only that it exists and whom to call.
    static func investigationAreasThatContainTheAddress(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        try await harness.apply(registered() + [
            try E.opened("INV-CONTAINS", area: E.area(E.north(700), radius: 800)),
            try E.opened("INV-EDGE-OUT", area: E.area(E.east(900), radius: 800)),
            try E.opened("INV-FAR", area: E.area(Coordinates(latitude: 38.627, longitude: -90.199), radius: 20_000)),
            try E.opened("INV-NO-AREA", area: nil),
            try E.opened("INV-NAMES-REYES", area: nil, people: [E.reyesNamed]),
            try E.opened("INV-NAMES-ANGELA", area: E.area(E.east(5_000), radius: 100), people: [E.angelaNamed]),
            try E.opened("INV-RESTRICTED", area: E.area(E.home, radius: 50), people: [E.reyesNamed], sensitivity: .restricted),
            try E.opened("INV-LATER", area: E.area(E.home, radius: 500), at: E.at(days: 2)),
        ])
        let result = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(result.investigations.map(\.investigationId) == ["INV-CONTAINS", "INV-NAMES-ANGELA", "INV-NAMES-REYES", "INV-RESTRICTED"])
        let contains = result.investigations[0]
        #expect(contains.reasons == [.withinArea] && abs((contains.distanceMeters ?? 0) - 700) < 0.5)
        #expect(contains.summary == "Armed robberies near 31st and Prospect." && contains.contact?.officerId == "KCPD-2210")
        #expect(contains.leadAgencyId == "MO-KCPD" && !contains.detailsWithheld && contains.namedResidents.isEmpty)

        let angela = result.investigations[1]
        #expect(angela.reasons == [.namesResident])
        #expect(angela.namedResidents.map(\.resident.kind) == [.householdMember])
        #expect(angela.namedResidents.map(\.role) == [.personOfInterest] && angela.namedResidents.map(\.matchedOn) == [.name])
        let reyes = result.investigations[2]
        #expect(reyes.namedResidents.map(\.resident.personKey) == ["sid:MO1234567"] && reyes.namedResidents.map(\.matchedOn) == [.stateId])

        let restricted = result.investigations[3]
        // Restricted: shown for its area only; that it names a resident is its members' to know.
        #expect(restricted.reasons == [.withinArea] && restricted.detailsWithheld)
        #expect(restricted.summary == nil && restricted.namedResidents.isEmpty && restricted.contact?.phone == "+1 816 234 5110")

        // Without coordinates no area can be checked: only the routine ones naming residents
        // remain (the restricted one would show only because it names Reyes).
        let unplaced = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO")
        #expect(unplaced.investigations.map(\.investigationId) == ["INV-NAMES-ANGELA", "INV-NAMES-REYES"])

        // Moved by an update: the area that holds the address now is the one that counts.
        try await harness.apply([try E.updated("INV-CONTAINS", area: E.area(E.north(2_000), radius: 800))])
        let moved = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(!moved.investigations.map(\.investigationId).contains("INV-CONTAINS"))
    }

    /// A closed investigation never shows again: not after its close, not when its opening or
    /// an update is read after the close, not when the close is read first.
    static func closedInvestigationsNeverShow(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        let inside = E.area(E.home, radius: 300)
        try await harness.apply(registered() + [
            try E.opened("INV-1", area: inside, people: [E.reyesNamed]),
            try E.opened("INV-2", area: inside),
        ])
        let open = try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: E.home)
        #expect(open.investigations.map(\.investigationId) == ["INV-1", "INV-2"])

        try await harness.apply([
            try E.closed("INV-1"),
            try E.opened("INV-1", area: inside, people: [E.reyesNamed], at: E.at(days: -19)),
            try E.updated("INV-1", area: inside, people: [E.reyesNamed], at: E.at(days: 0)),
            try E.closed("INV-3", at: E.at(days: -30)),
            try E.opened("INV-3", area: inside, at: E.at(days: -20)),
        ])
        let closed = try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: E.home)
        #expect(closed.investigations.map(\.investigationId) == ["INV-2"])
        let past = try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: E.home, asOf: E.at(days: -15))
        #expect(past.investigations.map(\.investigationId) == ["INV-2"], "a closed one is purged, not hidden by date")

        let rows = try await harness.snapshot()
        #expect(rows["safety_investigation_people"]?.isEmpty == true, "the closed investigation's persons of interest are purged")
        #expect(rows["safety_investigations"]?.count == 1)
        #expect(rows["safety_closed_investigations"]?.count == 2)
    }

    /// An update read before its opening, or events read in any order, end in the same check.
    static func investigationUpdatesFoldInAnyOrder(_ inOrder: any StorageDatabase, _ reversed: any StorageDatabase) async throws {
        let events = try registered() + [
            try E.opened("INV-1", area: E.area(E.north(5_000), radius: 100), people: [], at: E.at(days: -20)),
            try E.updated("INV-1", area: E.area(E.north(100), radius: 400), at: E.at(days: -15)),
            try E.updated("INV-1", people: [E.reyesNamed], summary: "Now names Reyes.", at: E.at(days: -10)),
            try E.updated("INV-1", sensitivity: .routine, at: E.at(days: -5)),
        ]
        let first = try await SafetyHarness(on: inOrder)
        try await first.apply(events)
        let second = try await SafetyHarness(on: reversed)
        try await second.apply(events.reversed())
        let expected = try await first.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(try await second.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home) == expected)
        let investigation = try #require(expected.investigations.first)
        #expect(investigation.reasons == [.withinArea, .namesResident] && investigation.summary == "Now names Reyes.")
        #expect(investigation.leadAgencyId == "MO-KCPD" && investigation.area?.radiusMeters == 400)
        #expect(try await first.snapshot() == second.snapshot())
    }

    /// An incident read before the case that registers its victim at the address shows, naming
    /// them, once the case is read; the same as when read in order.
    static func incidentBeforeTheCaseAddress(_ outOfOrder: any StorageDatabase, _ inOrder: any StorageDatabase) async throws {
        let incident = try E.incident("I-1", at: E.north(200), victims: [E.reyesNamed], suspects: [E.angelaNamed])
        let late = try await SafetyHarness(on: outOfOrder)
        try await late.apply([incident])
        let before = try await late.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(before.residents.isEmpty && before.incidents.first?.namedResidents.isEmpty == true)

        try await late.apply(registered())
        let after = try await late.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        let shown = try #require(after.incidents.first)
        #expect(shown.reasons == [.withinRadius, .namesResident])
        #expect(shown.namedResidents.map(\.role) == [.victim, .suspect])
        #expect(shown.namedResidents.map(\.resident.kind) == [.supervisee, .householdMember])
        #expect(shown.namedResidents.map(\.matchedOn) == [.stateId, .name])

        let ordered = try await SafetyHarness(on: inOrder)
        try await ordered.apply(registered() + [incident])
        #expect(try await ordered.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home) == after)

        // Named elsewhere: still listed, for who it names.
        try await late.apply([try E.incident("I-ELSEWHERE", at: E.north(9_000), daysAgo: 1, suspects: [E.reyesNamed])])
        let elsewhere = try await late.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(elsewhere.incidents.map(\.incidentId) == ["I-ELSEWHERE", "I-1"])
        #expect(elsewhere.incidents[0].reasons == [.namesResident] && elsewhere.incidents[0].distanceMeters.map { $0 > 8_000 } == true)
    }

    /// Someone else of the same name is not a resident: another state ID, another date of
    /// birth, or a family name alone.
    static func namesThatAreSomeoneElse(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        let darnell = PersonName(given: "Darnell", family: "Reyes")
        try await harness.apply(registered() + [
            try E.incident("I-OTHER-ID", at: E.north(100), victims: [InvolvedPerson(stateId: "MO9999999", name: darnell)]),
            try E.incident("I-OTHER-DOB", at: E.north(100), victims: [InvolvedPerson(name: darnell, dateOfBirth: CalendarDate("1985-01-02"))]),
            try E.incident("I-FAMILY-ONLY", at: E.north(100), victims: [InvolvedPerson(name: PersonName(family: "Reyes"))]),
            try E.incident("I-SAME-NAME", at: E.north(100), victims: [InvolvedPerson(name: PersonName(given: "DARNELL J.", family: "reyes"))]),
        ])
        let result = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        let named = Dictionary(uniqueKeysWithValues: result.incidents.map { ($0.incidentId, $0.namedResidents.map(\.matchedOn)) })
        #expect(named == ["I-OTHER-ID": [], "I-OTHER-DOB": [], "I-FAMILY-ONLY": [], "I-SAME-NAME": [.name]])
    }

    /// A person's facts meet on either number. Marsh's case began under her FBI number; her
    /// move to Troost came once her state ID was known: she lives at Troost (not at the case's
    /// first address), and an incident naming her by FBI number under another spelling of her
    /// name names her. Ruiz's address was filed under his FBI number alone, his case under both:
    /// an investigation naming his state ID names him. Someone of Marsh's name with another FBI
    /// number is someone else.
    static func residentsAndNamesUnderEitherNumber(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        let marsh = SubjectIdentifiers(stateId: "MO5550001", fbiNumber: "734591KA2", name: PersonName(given: "Lena", family: "Marsh"))
        let ruiz = SubjectIdentifiers(stateId: "MO5550002", fbiNumber: "118822RB4", name: PersonName(given: "Tomas", family: "Ruiz"))
        let ruizByFBI = SubjectIdentifiers(fbiNumber: "118822RB4", name: ruiz.name)
        try await harness.apply([
            try E.caseStarted("PP-9", E.byFBI, address: E.thirtyFirst),
            try E.addressChanged("PP-9", marsh, to: E.troost, household: nil),
            try E.caseStarted("PP-10", ruiz, address: nil),
            try E.addressChanged("PP-10", ruizByFBI, to: E.prospect, household: nil),
            try E.incident(
                "I-FBI", at: E.north(100), victims: [InvolvedPerson(fbiNumber: "734591KA2", name: PersonName(given: "L.", family: "Marsh-Ortiz"))]),
            try E.incident(
                "I-OTHER", at: E.north(100), victims: [InvolvedPerson(fbiNumber: "999999ZZ9", name: PersonName(given: "Lena", family: "Marsh"))]),
            try E.opened("INV-RUIZ", area: nil, people: [InvolvedPerson(stateId: "MO5550002")]),
        ])

        let troost = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(troost.residents.map(\.personKey) == ["sid:MO5550001"])
        #expect(troost.residents.first.map { ($0.stateId, $0.fbiNumber, $0.caseId) } ?? (nil, nil, "") == ("MO5550001", "734591KA2", "PP-9"))
        let named = Dictionary(uniqueKeysWithValues: troost.incidents.map { ($0.incidentId, $0.namedResidents.map(\.matchedOn)) })
        #expect(named == ["I-FBI": [.fbiNumber], "I-OTHER": []])
        #expect(try await harness.check("1200 E 31st St, Kansas City, MO").residents.isEmpty, "Marsh moved from 31st Street")

        let prospect = try await harness.check("3300 Prospect Ave, Kansas City, MO")
        #expect(prospect.residents.map { [$0.personKey, $0.stateId, $0.fbiNumber] } == [["fbi:118822RB4", "MO5550002", "118822RB4"]])
        #expect(prospect.investigations.map(\.investigationId) == ["INV-RUIZ"])
        #expect(prospect.investigations.first?.namedResidents.map(\.matchedOn) == [.stateId])
    }

    /// Rows kept before `safety-v2` (which added the numbers beside the key) answer as before:
    /// each gets the number of its key, so a resident filed under an FBI number is found, and an
    /// incident naming that FBI number names them.
    static func rowsKeptBeforeTheNumbersStep(_ database: any StorageDatabase) async throws {
        let store = SafetyStore()
        let steps = ViewMigrations.of(store)
        let before = Array(steps.prefix { $0.id != "safety-v2" })
        #expect(before.count < steps.count, "safety-v2 is one of the steps")
        let effective = ViewTime.start(of: E.day(-40))
        let place = try SafetyPlace(E.troost, field: "address")
        try await database.write { db in
            try StorageMigrator.migrate(before, in: db)
            try db.execute(
                "INSERT INTO safety_cases (case_id, person_key, start_at, occurred_at, event_id) VALUES ('PP-OLD', 'fbi:734591KA2', $1, $1, 'old-case')",
                [.integer(effective)])
            try db.execute(
                """
                INSERT INTO safety_addresses (event_id, case_id, person_key, subject, effective_at, occurred_at, address, \(SafetyPlace.columns))
                VALUES ('old-address', 'PP-OLD', 'fbi:734591KA2', $1, $2, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                [try StoredColumn.optionalJSON(E.byFBI), .integer(effective), try StoredColumn.json(E.troost)] + place.values)
        }
        let harness = try await SafetyHarness(on: database)  // runs the rest
        try await harness.apply([
            try E.incident("I-1", at: E.north(100), victims: [InvolvedPerson(fbiNumber: "734591KA2", name: PersonName(given: "L.", family: "M."))])
        ])
        let result = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(result.residents.map(\.personKey) == ["fbi:734591KA2"])
        #expect(result.incidents.first?.namedResidents.map(\.matchedOn) == [.fbiNumber])
    }

    /// Applying every event twice changes no row and no answer.
    static func applyingEveryEventTwiceChangesNothing(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        let events = try registered() + [
            try E.caseStarted("PP-3", E.byFBI, address: E.troostOnMap),
            try E.incident("I-1", at: E.north(200), victims: [E.reyesNamed], suspects: [E.angelaNamed]),
            try E.opened("INV-1", area: E.area(E.home, radius: 300), people: [E.reyesNamed]),
            try E.updated("INV-1", summary: "Updated."),
            try E.opened("INV-2", area: E.area(E.home, radius: 300)),
            try E.closed("INV-2"),
            try E.caseEnded("PP-2", E.okafor),
        ]
        try await harness.apply(events)
        let once = try await harness.snapshot()
        let answer = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO")
        #expect(answer.residents.map(\.personKey) == ["fbi:734591KA2", "sid:MO1234567", "sid:MO1234567"])
        #expect(answer.incidents.count == 1 && answer.investigations.map(\.investigationId) == ["INV-1"])
        try await harness.apply(events)
        #expect(try await harness.snapshot() == once)
        #expect(try await harness.check("4410 N Troost Ave #2B, Kansas City, MO") == answer)
    }

    /// Every row about a person carries their key: deleting a person's rows by `person_key`
    /// (as a sealing pass will) takes them, and the household their address listed, out of
    /// every answer, while the incidents stay for what else they say.
    static func aPersonsRowsGoByTheirKey(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        try await harness.apply(registered() + [
            try E.caseEnded("PP-2", E.okafor, on: E.day(10)),
            try E.incident("I-1", at: E.north(200), victims: [E.reyesNamed], suspects: [E.angelaNamed]),
            try E.opened("INV-1", area: nil, people: [E.reyesNamed]),
        ])
        let before = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(before.residents.count == 2 && before.incidents.first?.namedResidents.count == 2 && before.investigations.count == 1)

        let tables = harness.tables
        let deleted = try await database.write { transaction in
            var deleted: [String: Int] = [:]
            for table in tables {
                let columns = Set(try transaction.fetchAll("SELECT * FROM \(table)").first?.columns ?? [])
                guard columns.contains("person_key") else { continue }
                deleted[table] = try transaction.execute("DELETE FROM \(table) WHERE person_key = $1", [.text("sid:MO1234567")])
            }
            return deleted
        }
        #expect(deleted["safety_cases"] == 1 && deleted["safety_addresses"] == 2 && deleted["safety_household"] == 1)
        #expect(deleted["safety_incident_people"] == 1 && deleted["safety_investigation_people"] == 1)
        let after = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        #expect(after.residents.isEmpty && after.investigations.isEmpty)
        #expect(after.incidents.map(\.incidentId) == ["I-1"] && after.incidents[0].namedResidents.isEmpty)
        #expect(try await harness.check("1200 E 31st St, Kansas City, MO").residents.map(\.personKey) == ["sid:MO7654321"])
    }

    /// Events that break the view's rules are refused, naming the field, and write nothing.
    static func poisonEventsWriteNothing(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        let before = try await harness.snapshot()
        let nobody = SubjectIdentifiers(docNumber: "1198734")
        let cases = [
            (try E.caseStarted("PP-9", nobody), "subject.stateId and subject.fbiNumber are both missing"),
            (try E.addressChanged("PP-9", nobody), "subject.stateId and subject.fbiNumber are both missing"),
            (try E.caseStarted("PP-9", E.reyes, address: Address(
                line1: "1 Main St", city: "Kansas City", state: "MO", coordinates: Coordinates(latitude: 91, longitude: 0))),
             "payload.address.coordinates.latitude"),
            (try E.incident("I-9", at: Coordinates(latitude: 0, longitude: 181)), "payload.location.coordinates.longitude"),
            (try E.opened("INV-9", area: E.area(E.home, radius: 0)), "payload.area.radiusMeters"),
        ]
        for (event, reason) in cases {
            let poison = try await harness.applyExpectingPoison(event)
            #expect(poison?.reason.contains(reason) == true, "\(event.eventType): \(poison?.reason ?? "accepted")")
        }
        #expect(try await harness.snapshot() == before)
    }

    /// A stored value this version cannot read (a database written by another version, or
    /// edited by hand) fails the check naming its table and column, never the value.
    static func unreadableRowsNameTheirColumn(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        try await harness.apply([try E.incident("I-1", at: E.north(100), victims: [E.reyesNamed])] + registered())
        _ = try await database.write { try $0.execute("UPDATE safety_incidents SET incident_kind = 'duel'") }
        await #expect(throws: UnreadableViewRow(table: "safety_incidents", column: "incident_kind", reason: "holds a code that is not a ViolentIncidentKind")) {
            try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
        }
        _ = try await database.write { try $0.execute("UPDATE safety_incident_people SET person = '{\"name\": 7}'") }
        do {
            _ = try await harness.check("4410 N Troost Ave #2B, Kansas City, MO", coordinates: E.home)
            Issue.record("an unreadable person was read")
        } catch let error as UnreadableViewRow {
            #expect(error.table == "safety_incident_people" && error.column == "person" && !error.description.contains("7"))
        }
    }

    /// A question that cannot be asked says which part is wrong.
    static func badQuestionsNameTheirField(_ database: any StorageDatabase) async throws {
        let harness = try await SafetyHarness(on: database)
        await #expect(throws: SafetyCheckError(field: "radiusMeters", reason: "must be from 1 to 50000 metres")) {
            try await harness.check("4410 Troost Ave, Kansas City, MO", radius: 0)
        }
        await #expect(throws: SafetyCheckError.self) { try await harness.check("4410 Troost Ave") }
        await #expect(throws: SafetyCheckError(field: "latitude", reason: "must be a number from -90 to 90")) {
            try await harness.check("4410 Troost Ave, Kansas City, MO", coordinates: Coordinates(latitude: 95, longitude: 0))
        }
        do {
            _ = try await harness.check("4410 Troost Ave, Kansas City, ZZ")
            Issue.record("an unknown state was accepted")
        } catch let error as SafetyCheckError {
            #expect(error.field == "address" && error.reason.hasPrefix("state "))
        }
        // "Homeless" is what a record says when there is no address: there is nothing to visit.
        do {
            _ = try await harness.check("Homeless, Kansas City, MO")
            Issue.record("a placeholder was checked as an address")
        } catch let error as SafetyCheckError {
            #expect(error.field == "address" && error.reason.hasPrefix("line1 ") && error.reason.contains("no address"))
        }
    }
}
