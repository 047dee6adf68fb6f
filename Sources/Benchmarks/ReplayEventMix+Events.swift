import Contracts
import Demo
import Foundation

/// The events of each kind, built from the person's story (see ``ReplayEventMix``).
extension ReplayEventMix.Stream {
    typealias Event = ReplayEventMix.Event

    /// A directory entry at the start of the stream (or described again later).
    mutating func described(_ entry: AgencyDescribed, index: Int) throws -> Event {
        let at = time(index)
        return try event(ScenarioEvent(topic: "reference.agencies", key: entry.agencyId, EventEnvelope(
            eventId: random.uuid(), occurredAt: at, recordedAt: at, source: SourceAgency(agencyId: entry.agencyId, agencyKind: entry.kind),
            subject: nil, payload: entry)), at: at)
    }

    /// The `index`th event after the directory: a kind by weight, about a random person.
    mutating func next(index: Int) throws -> Event {
        let at = time(index)
        let who = random.index(people.count)
        var person = people[who]
        defer { people[who] = person }
        switch pickKind() {
        case .caseStarted where person.caseId == nil, .officerAssigned where person.caseId == nil,
             .conditionsSet where person.caseId == nil, .addressChanged where person.caseId == nil, .caseEnded where person.caseId == nil:
            return try caseStarted(&person, who: who, at: at)
        case .caseStarted, .conditionsSet:
            return try conditionsSet(person, at: at)
        case .officerAssigned:
            return try supervision(OfficerAssigned(caseId: person.caseId!, officer: random.pick(officers)), person, at: at)
        case .addressChanged:
            return try addressChanged(&person, at: at)
        case .caseEnded:
            let caseId = person.caseId!
            person.caseId = nil
            return try supervision(
                CaseEnded(caseId: caseId, endDate: CalendarDate(utcDayOf: at), endReason: random.pick(CaseEndReason.allCases)), person, at: at)
        case .assessment:
            return try assessment(person, index: index, at: at)
        case .arrest:
            return try arrest(&person, index: index, at: at)
        case .booking:
            return try booking(person, index: index, at: at)
        case .contact:
            return try contact(person, index: index, at: at)
        case .incident:
            return try incident(index: index, at: at)
        case .investigationUpdated where !investigations.isEmpty:
            return try investigationUpdated(at: at)
        case .investigationClosed where !investigations.isEmpty:
            let closed = investigations.remove(at: random.index(investigations.count))
            return try investigation(InvestigationClosed(investigationId: closed.id), id: closed.id, city: closed.city, at: at)
        case .investigationOpened, .investigationUpdated, .investigationClosed:
            return try investigationOpened(index: index, at: at)
        case .warrantServed where !person.warrants.isEmpty, .warrantRecalled where !person.warrants.isEmpty:
            return try warrantResolved(&person, at: at)
        case .warrantIssued, .warrantServed, .warrantRecalled:
            return try warrantIssued(&person, index: index, at: at)
        case .detainerLifted where !person.detainers.isEmpty:
            let detainer = person.detainers.removeFirst()
            return try court(DetainerLifted(detainerId: detainer.id, liftedOn: CalendarDate(utcDayOf: at), reason: "Hold withdrawn"),
                             person, source: SourceAgency(agencyId: detainer.requester, agencyKind: .police), at: at)
        case .detainerLodged, .detainerLifted:
            return try detainerLodged(&person, index: index, at: at)
        case .releaseScheduled where person.release == nil, .releaseChanged where person.release == nil,
             .releaseCompleted where person.release == nil:
            return try releaseScheduled(&person, index: index, at: at)
        case .releaseChanged:
            return try releaseChanged(&person, at: at)
        case .releaseScheduled, .releaseCompleted:
            return try releaseCompleted(&person, at: at)
        case .bulletinWithdrawn where person.bulletin != nil:
            let bulletin = person.bulletin!
            person.bulletin = nil
            return try supervision(
                MentalHealthBulletinWithdrawn(bulletinId: bulletin, reason: random.pick(BulletinWithdrawalReason.allCases)), person,
                topic: "supervision.mental-health-bulletins", at: at)
        case .bulletinPublished, .bulletinWithdrawn:
            return try bulletinPublished(&person, index: index, at: at)
        case .agencyDescribed:
            var entry = random.pick(ReplayWorld.directory)
            entry.dutyContact = DutyContact(phone: "+1 816 555 \(String(format: "%04d", random.index(10_000)))")
            return try described(entry, index: index)
        }
    }

    // MARK: Envelopes

    private func event(_ scenario: ScenarioEvent, at: Date) -> Event {
        Event(scenario: scenario, timestampMilliseconds: Int64((at.timeIntervalSince1970 * 1000).rounded()))
    }

    private mutating func envelope<Payload: EventPayload>(
        _ payload: Payload, subject: SubjectIdentifiers?, source: SourceAgency, at: Date
    ) -> EventEnvelope<Payload> {
        EventEnvelope(eventId: random.uuid(), occurredAt: at, recordedAt: at.addingTimeInterval(5), source: source, subject: subject, payload: payload)
    }

    private mutating func supervision<Payload: EventPayload>(
        _ payload: Payload, _ person: ReplayEventMix.Person, topic: String = "supervision.cases", at: Date
    ) throws -> Event {
        let source = SourceAgency(agencyId: ReplayWorld.supervisionAgency, agencyKind: .communitySupervision)
        return event(try ScenarioEvent(topic: topic, envelope(payload, subject: person.subject, source: source, at: at)), at: at)
    }

    /// An event about `person` on `topic`, from `source` (by default the police of their city).
    private mutating func personEvent<Payload: EventPayload>(
        _ payload: Payload, _ person: ReplayEventMix.Person, topic: String, source: SourceAgency? = nil, at: Date
    ) throws -> Event {
        let source = source ?? SourceAgency(agencyId: ReplayWorld.cities[person.city].policeId, agencyKind: .police)
        return event(try ScenarioEvent(topic: topic, envelope(payload, subject: person.subject, source: source, at: at)), at: at)
    }

    private mutating func court<Payload: EventPayload>(
        _ payload: Payload, _ person: ReplayEventMix.Person, source: SourceAgency, at: Date
    ) throws -> Event {
        event(try ScenarioEvent(topic: "courts.warrants", envelope(payload, subject: person.subject, source: source, at: at)), at: at)
    }

    /// An event of `police.investigations`, keyed by the investigation's id.
    private mutating func investigation<Payload: EventPayload>(_ payload: Payload, id: String, city: Int, at: Date) throws -> Event {
        let source = SourceAgency(agencyId: ReplayWorld.cities[city].policeId, agencyKind: .police)
        return event(try ScenarioEvent(topic: "police.investigations", key: id, envelope(payload, subject: nil, source: source, at: at)), at: at)
    }

    // MARK: Supervision

    private mutating func caseStarted(_ person: inout ReplayEventMix.Person, who: Int, at: Date) throws -> Event {
        person.cases += 1
        let caseId = "PP-\(who)-\(person.cases)"
        person.caseId = caseId
        let start = CalendarDate(utcDayOf: at)
        return try supervision(
            CaseStarted(caseId: caseId, supervisionType: random.pick([.probation, .parole, .postReleaseSupervision]), startDate: start,
                        expectedEndDate: CalendarDate(utcDayOf: at.addingTimeInterval(730 * 86_400)),
                        supervisingAgencyId: ReplayWorld.supervisionAgency, officer: random.pick(officers), address: person.address),
            person, at: at)
    }

    private mutating func conditionsSet(_ person: ReplayEventMix.Person, at: Date) throws -> Event {
        let kinds: [ConditionKind] = [.reporting, .curfew, .electronicMonitoring, .noContact, .exclusionZone, .treatment, .drugTesting,
                                      .employment, .noWeapons]
        var conditions = [SupervisionCondition(kind: .reporting)]
        for _ in 0..<random.index(4) { conditions.append(SupervisionCondition(kind: random.pick(kinds))) }
        if random.chance(10) { conditions.append(SupervisionCondition(kind: .other, description: "Attend victim impact panel")) }
        return try supervision(ConditionsSet(caseId: person.caseId!, effectiveDate: CalendarDate(utcDayOf: at), conditions: conditions), person, at: at)
    }

    private mutating func addressChanged(_ person: inout ReplayEventMix.Person, at: Date) throws -> Event {
        if random.chance(30) { person.city = random.index(ReplayWorld.cities.count) }
        person.address = Self.address(in: person.city, &random)
        var household: [HouseholdMember] = []
        for _ in 0..<random.index(3) {
            household.append(HouseholdMember(
                name: PersonName(given: random.pick(ReplayWorld.givenNames), family: person.subject.name?.family ?? "Doe"),
                relationship: random.pick(["mother", "partner", "brother", "sister", "friend"])))
        }
        return try supervision(
            AddressChanged(caseId: person.caseId!, address: person.address, effectiveDate: CalendarDate(utcDayOf: at),
                           householdMembers: household.isEmpty ? nil : household),
            person, at: at)
    }

    private mutating func assessment(_ person: ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let risk: RiskLevel = random.pick([.low, .low, .moderate, .moderate, .high, .veryHigh])
        var needs: [AssessedNeed] = []
        for _ in 0..<(1 + random.index(3)) { needs.append(AssessedNeed(domain: random.pick(NeedDomain.allCases), level: random.pick(RiskLevel.allCases))) }
        return try supervision(
            AssessmentCompleted(assessmentId: "AS-\(index)", instrument: random.pick(["ORAS-CST", "LSI-R"]), completedOn: CalendarDate(utcDayOf: at),
                                riskLevel: risk, score: random.index(45), historyOfViolence: random.chance(20), needs: needs),
            person, topic: "supervision.assessments", at: at)
    }

    private mutating func bulletinPublished(_ person: inout ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let bulletin = "MHB-\(index)"
        person.bulletin = bulletin
        let police = ReplayWorld.cities[person.city].policeName
        return try supervision(
            MentalHealthBulletinPublished(
                bulletinId: bulletin,
                consent: BulletinConsent(grantedOn: CalendarDate(utcDayOf: at), expiresOn: CalendarDate(utcDayOf: at.addingTimeInterval(365 * 86_400)),
                                         scope: "\(police) patrol and crisis intervention team"),
                baseline: BulletinBaseline(summary: "Diagnosed with bipolar disorder; calm, quiet approach helps.", triggers: ["Raised voices"],
                                           whatHelps: ["Speak slowly", "Call the case manager"]),
                keyContacts: [KeyContact(name: "\(random.pick(ReplayWorld.givenNames)) \(person.subject.name?.family ?? "Doe")",
                                         relationship: "case manager", phone: "+1 816 555 0199")]),
            person, topic: "supervision.mental-health-bulletins", at: at)
    }

    // MARK: Police

    private mutating func charges() -> [Charge] {
        (0..<(1 + random.index(2))).map { _ in random.pick(ReplayWorld.charges) }
    }

    private mutating func arrest(_ person: inout ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let city = ReplayWorld.cities[person.city]
        let arrestId = "A-\(index)"
        person.lastArrest = arrestId
        return try personEvent(
            ArrestMade(arrestId: arrestId, arrestedAt: at, arrestingAgencyId: city.policeId,
                       location: Location(address: Self.address(in: person.city, &random)), charges: charges(), reportNumber: "RPT-\(index)"),
            person, topic: "police.arrests", at: at)
    }

    private mutating func booking(_ person: ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let jail = random.pick(ReplayWorld.jails)
        return try personEvent(
            BookingRecorded(bookingNumber: "BK-\(index)", facility: jail.facility, bookedAt: at, arrestId: person.lastArrest, charges: charges()),
            person, topic: "police.arrests", source: SourceAgency(agencyId: jail.sheriffId, agencyKind: .sheriff), at: at)
    }

    private mutating func contact(_ person: ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let relation: RelationToSubject = random.chance(70) ? .subject : random.pick([.householdMember, .associate])
        let met = relation == .subject ? nil
            : InvolvedPerson(name: PersonName(given: random.pick(ReplayWorld.givenNames), family: random.pick(ReplayWorld.familyNames)))
        let atHome = random.chance(50)
        return try personEvent(
            ContactRecorded(contactId: "CT-\(index)", contactedAt: at, contactKind: random.pick(ContactKind.allCases), relationToSubject: relation,
                            personContacted: met, location: Location(address: atHome ? person.address : Self.address(in: person.city, &random)),
                            atSubjectResidence: atHome, summary: random.chance(40) ? "Spoke briefly; no concerns noted." : nil,
                            officer: Officer(officerId: "PO-\(random.index(500))", name: "Officer \(random.pick(ReplayWorld.familyNames))")),
            person, topic: "police.contacts", at: at)
    }

    /// Someone of the population as an incident or investigation names them (now and then
    /// someone known only by name).
    private mutating func involved() -> InvolvedPerson {
        if random.chance(10) {
            return InvolvedPerson(name: PersonName(given: random.pick(ReplayWorld.givenNames), family: random.pick(ReplayWorld.familyNames)))
        }
        let person = people[random.index(people.count)]
        return InvolvedPerson(stateId: person.subject.stateId, name: person.subject.name, dateOfBirth: person.subject.dateOfBirth,
                              underSupervision: person.caseId != nil)
    }

    private mutating func incident(index: Int, at: Date) throws -> Event {
        let city = random.index(ReplayWorld.cities.count)
        let victims = random.chance(70) ? (0..<(1 + random.index(2))).map { _ in involved() } : nil
        let suspects = victims == nil || random.chance(50) ? (0..<(1 + random.index(2))).map { _ in involved() } : nil
        let address = Self.address(in: city, &random)
        let incidentId = "INC-\(index)"
        let payload = ViolentIncidentReported(
            incidentId: incidentId, incidentKind: random.pick(ViolentIncidentKind.allCases), incidentAt: at,
            location: Location(address: address, coordinates: address.coordinates), victims: victims, suspects: suspects,
            reportNumber: "RPT-\(index)")
        let source = SourceAgency(agencyId: ReplayWorld.cities[city].policeId, agencyKind: .police)
        return event(try ScenarioEvent(topic: "police.incidents", key: incidentId, envelope(payload, subject: nil, source: source, at: at)), at: at)
    }

    private mutating func area(near city: Int) -> InvestigationArea {
        let place = ReplayWorld.cities[city]
        return InvestigationArea(
            center: Coordinates(latitude: place.latitude + Double(random.index(600) - 300) / 10_000,
                                longitude: place.longitude + Double(random.index(600) - 300) / 10_000),
            radiusMeters: 100 + random.index(4_900))
    }

    private mutating func investigationOpened(index: Int, at: Date) throws -> Event {
        let city = random.index(ReplayWorld.cities.count)
        let id = "INV-\(index)"
        investigations.append((id, city))
        return try investigation(
            InvestigationOpened(
                investigationId: id, leadAgencyId: ReplayWorld.cities[city].policeId, sensitivity: random.pick(InvestigationSensitivity.allCases),
                summary: "Narcotics distribution from a residence", personsOfInterest: (0..<(1 + random.index(3))).map { _ in involved() },
                area: random.chance(70) ? area(near: city) : nil,
                contact: Officer(officerId: "DET-\(random.index(200))", name: "Det. \(random.pick(ReplayWorld.familyNames))", phone: "+1 816 555 0142")),
            id: id, city: city, at: at)
    }

    private mutating func investigationUpdated(at: Date) throws -> Event {
        let open = investigations[random.index(investigations.count)]
        return try investigation(
            InvestigationUpdated(investigationId: open.id, sensitivity: random.chance(30) ? .restricted : nil, summary: "Surveillance extended",
                                 personsOfInterest: random.chance(50) ? [involved(), involved()] : nil,
                                 area: random.chance(40) ? area(near: open.city) : nil),
            id: open.id, city: open.city, at: at)
    }

    // MARK: Courts

    private mutating func warrantIssued(_ person: inout ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let court = random.pick(ReplayWorld.courts)
        let warrantId = "W-\(index)"
        person.warrants.append((warrantId, court))
        return try self.court(
            WarrantIssued(warrantId: warrantId, warrantKind: random.pick(WarrantKind.allCases), issuedOn: CalendarDate(utcDayOf: at),
                          issuingAgencyId: court, caseNumber: "\(court.suffix(2))-CR-\(index)", charges: random.chance(60) ? charges() : nil,
                          bondAmount: random.chance(70) ? Double(500 * (1 + random.index(40))) : nil, extraditable: random.chance(30)),
            person, source: SourceAgency(agencyId: court, agencyKind: .court), at: at)
    }

    private mutating func warrantResolved(_ person: inout ReplayEventMix.Person, at: Date) throws -> Event {
        let warrant = person.warrants.removeFirst()
        if random.chance(80) {
            let police = ReplayWorld.cities[person.city].policeId
            return try court(WarrantServed(warrantId: warrant.id, servedAt: at, servingAgencyId: police), person,
                             source: SourceAgency(agencyId: police, agencyKind: .police), at: at)
        }
        // Recalled by the court that issued it, the only one that may (`RecordAuthority`). The
        // draw that picked a court here before stays, unused: the seeded workload, and so the
        // figures measured on it, stay what they were.
        _ = random.pick(ReplayWorld.courts)
        return try self.court(WarrantRecalled(warrantId: warrant.id, recalledOn: CalendarDate(utcDayOf: at), reason: "Defendant appeared"),
                              person, source: SourceAgency(agencyId: warrant.court, agencyKind: .court), at: at)
    }

    private mutating func detainerLodged(_ person: inout ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let detainer = "DT-\(index)"
        let requester = ReplayWorld.cities[random.index(ReplayWorld.cities.count)].policeId
        person.detainers.append((detainer, requester))
        return try court(
            DetainerLodged(detainerId: detainer, detainerKind: random.pick(DetainerKind.allCases), requestingAgencyId: requester,
                           lodgedOn: CalendarDate(utcDayOf: at), facility: person.release?.facility, warrantId: person.warrants.first?.id),
            person, source: SourceAgency(agencyId: requester, agencyKind: .police), at: at)
    }

    // MARK: Custody

    private var prison: SourceAgency { SourceAgency(agencyId: ReplayWorld.corrections, agencyKind: .prison) }

    private mutating func releaseScheduled(_ person: inout ReplayEventMix.Person, index: Int, at: Date) throws -> Event {
        let release = ReplayEventMix.PendingRelease(
            id: "R-\(index)", facility: random.pick(ReplayWorld.prisons), expectedAt: at.addingTimeInterval(Double(7 + random.index(113)) * 86_400))
        person.release = release
        if random.chance(30) {
            person.city = random.index(ReplayWorld.cities.count)
            person.address = Self.address(in: person.city, &random)
        }
        return try personEvent(
            ReleaseScheduled(releaseId: release.id, facility: release.facility, expectedAt: release.expectedAt, releaseType: .parole,
                             destination: person.address, supervisionType: .parole, supervisingAgencyId: ReplayWorld.supervisionAgency),
            person, topic: "custody.releases", source: prison, at: at)
    }

    private mutating func releaseChanged(_ person: inout ReplayEventMix.Person, at: Date) throws -> Event {
        var release = person.release!
        let previous = release.expectedAt
        release.expectedAt = previous.addingTimeInterval(Double(1 + random.index(30)) * 86_400)
        person.release = release
        return try personEvent(
            ReleaseChanged(releaseId: release.id, reason: "Sentence credit recalculated", expectedAt: release.expectedAt, previousExpectedAt: previous),
            person, topic: "custody.releases", source: prison, at: at)
    }

    private mutating func releaseCompleted(_ person: inout ReplayEventMix.Person, at: Date) throws -> Event {
        let release = person.release!
        person.release = nil
        return try personEvent(
            ReleaseCompleted(releaseId: release.id, facility: release.facility, releasedAt: at, releaseType: .parole, destination: person.address,
                             supervisionType: .parole, supervisingAgencyId: ReplayWorld.supervisionAgency),
            person, topic: "custody.releases", source: prison, at: at)
    }
}
