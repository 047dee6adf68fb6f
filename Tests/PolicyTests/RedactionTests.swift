import Contracts
import Policy
import Testing

@Suite("Redaction field by field")
struct RedactionTests {
    let policy: AccessPolicy
    init() throws { policy = try repositoryAccessPolicy() }

    @Test("a supervising officer receives the whole arrest of a supervisee; nothing is withheld")
    func supervisingOfficerSeesTheArrest() throws {
        let arrest = try example("police.arrest.made")
        let redaction = policy.redact(arrest, eventType: "police.arrest.made", for: requester([.officer], "community_supervision", .supervision))
        #expect(redaction.value == arrest)
        #expect(redaction.withheld.isEmpty)
        #expect(redaction.disclosed.map(\.field).contains("payload.charges"))
        #expect(redaction.disclosed.first { $0.field == "subject" }?.classifications == [.cji, .pii])
        #expect(redaction.persons == [PersonIdentifier(identifier: "stateId", value: "MO1234567")])
        #expect(redaction.notices.isEmpty)
    }

    /// A row or event recording "UNKNOWN" or zeros for a number names nobody by it: filed under
    /// such a value, every stranger recorded so would share one audit trail.
    @Test("identifiers that say there is no number are not the persons a disclosure is about")
    func placeholdersNameNobody() throws {
        let row = try JSONValue(parsing: """
            {"subject": {"stateId": "UNKNOWN", "fbiNumber": "734591KA2", "docNumber": "000000"},
             "subjectStateId": "NONE", "reason": {"matched": [{"name": "rmsNumber", "value": "N/A"}, {"name": "bookingNumber", "value": "B-1"}]}}
            """)
        #expect(PersonIdentifier.all(in: row) == [
            PersonIdentifier(identifier: "bookingNumber", value: "B-1"), PersonIdentifier(identifier: "fbiNumber", value: "734591KA2"),
        ])
    }

    @Test("an integrator receives only the public fields: no name, no charges, each withheld field listed with why")
    func integratorSeesPublicFieldsOnly() throws {
        let arrest = try example("police.arrest.made")
        let redaction = policy.redact(arrest, eventType: "police.arrest.made", for: requester([.integrator], "police", .dataIntegration))
        #expect(redaction.value[path: "subject"] == nil)
        #expect(redaction.value[path: "payload.charges"] == nil)
        #expect(redaction.value[path: "payload.location"] == nil)
        #expect(redaction.value[path: "payload.arrestingAgencyId"] == arrest[path: "payload.arrestingAgencyId"])
        #expect(redaction.value[path: "eventId"] == arrest[path: "eventId"])
        let withheld = Dictionary(uniqueKeysWithValues: redaction.withheld.map { ($0.field, $0) })
        #expect(withheld["subject"]?.reason == .notGranted)
        #expect(withheld["payload.charges"]?.classifications == [.cji])
        #expect(withheld["payload.location"]?.classifications == [.cji, .pii])
        // Every member is accounted for: disclosed or withheld, never both.
        #expect(Set(redaction.disclosed.map(\.field)).isDisjoint(with: withheld.keys))
        #expect(redaction.value.memberNames.union(["subject", "occurredAt", "recordedAt"]) == arrest.memberNames)
    }

    @Test("health fields: shown with the Part 2 notice under consent, withheld without it")
    func healthNeedsConsent() throws {
        let bulletin = try example("supervision.mental-health-bulletin.published")
        let crisisOfficer = requester([.officer], "police", .crisisResponse)
        let withConsent = policy.redact(bulletin, eventType: "supervision.mental-health-bulletin.published", for: crisisOfficer,
                                        context: DisclosureContext(consentInForce: true))
        #expect(withConsent.value[path: "payload.baseline"] == bulletin[path: "payload.baseline"])
        #expect(withConsent.value[path: "payload.keyContacts"] == bulletin[path: "payload.keyContacts"])
        #expect(withConsent.notices == [.part2Redisclosure])
        #expect(DisclosureNotice.part2Redisclosure.text.hasPrefix("42 CFR part 2 prohibits unauthorized use or disclosure of these records."))
        // Whom it is about, and the bulletin whole.
        #expect(withConsent.value == bulletin)
        #expect(withConsent.withheld.isEmpty)

        let withoutConsent = policy.redact(bulletin, eventType: "supervision.mental-health-bulletin.published", for: crisisOfficer)
        #expect(withoutConsent.value[path: "payload"] == .object([:]))
        #expect(withoutConsent.notices.isEmpty)
        let reasons = Dictionary(uniqueKeysWithValues: withoutConsent.withheld.map { ($0.field, $0.reason) })
        #expect(reasons["payload.baseline"] == .consentNotInForce)
        #expect(reasons["payload.keyContacts"] == .consentNotInForce)

        // Consent does not replace a grant: an officer on a safety check has none for health.
        let safety = policy.redact(bulletin, eventType: "supervision.mental-health-bulletin.published",
                                   for: requester([.officer], "police", .officerSafety), context: DisclosureContext(consentInForce: true))
        #expect(safety.value[path: "payload.baseline"] == nil)
        #expect(safety.withheld.first { $0.field == "payload.baseline" }?.reason == .notGranted)
    }

    @Test("criminal intelligence: only to a holder of a Part 23 subscription")
    func intelligenceNeedsPart23Basis() throws {
        let investigation = try example("police.investigation.opened")
        let officer = requester([.officer], "community_supervision", .officerSafety)
        let withBasis = policy.redact(investigation, eventType: "police.investigation.opened", for: officer,
                                      context: DisclosureContext(holdsPart23Subscription: true))
        #expect(withBasis.value[path: "payload.summary"] == investigation[path: "payload.summary"])
        #expect(withBasis.value[path: "payload.personsOfInterest"] == investigation[path: "payload.personsOfInterest"])
        #expect(withBasis.withheld.isEmpty)

        let withoutBasis = policy.redact(investigation, eventType: "police.investigation.opened", for: officer)
        #expect(withoutBasis.value[path: "payload.summary"] == nil)
        #expect(withoutBasis.value[path: "payload.personsOfInterest"] == nil)
        #expect(withoutBasis.value[path: "payload.leadAgencyId"] == investigation[path: "payload.leadAgencyId"])
        #expect(withoutBasis.withheld.filter { $0.field.hasPrefix("payload.") }.allSatisfy { $0.reason == .noPart23Basis })
        #expect(withoutBasis.withheld.contains { $0.field == "payload.personsOfInterest" && $0.classifications == [.criminalIntelligence, .pii] })
        // A prosecutor has no grant for intelligence at all: a subscription does not make one.
        let prosecutor = policy.redact(investigation, eventType: "police.investigation.opened", for: requester([.prosecutor], "prosecutor", .prosecution),
                                       context: DisclosureContext(holdsPart23Subscription: true))
        #expect(prosecutor.withheld.first { $0.field == "payload.summary" }?.reason == .notGranted)
    }

    @Test("fields the contract does not classify are withheld and counted, the rest is redacted as usual")
    func unknownFieldsAreWithheld() throws {
        let arrest = try example("police.arrest.made")
            .setting("payload.favouriteColour", to: "green")
            .setting("internalNote", to: "do not share")
        let redaction = policy.redact(arrest, eventType: "police.arrest.made", for: requester([.officer], "community_supervision", .supervision))
        #expect(redaction.value[path: "payload.favouriteColour"] == nil)
        #expect(redaction.value[path: "internalNote"] == nil)
        #expect(redaction.value[path: "payload.charges"] == arrest[path: "payload.charges"])
        #expect(redaction.unclassifiedCount == 2)
        #expect(redaction.withheld == [
            WithheldField(field: "internalNote", classifications: [], reason: .unclassified),
            WithheldField(field: "payload.favouriteColour", classifications: [], reason: .unclassified),
        ])
    }

    @Test("a value of a type no contract describes is withheld whole")
    func unknownEventTypeIsWithheldWhole() throws {
        let arrest = try example("police.arrest.made")
        let redaction = policy.redact(arrest, eventType: "police.arrest.invented", for: requester([.officer], "community_supervision", .supervision))
        #expect(redaction.value == .object([:]))
        #expect(redaction.disclosed.isEmpty)
        #expect(redaction.unclassifiedCount == arrest.memberNames.count)
        // Not even an object: withheld whole, and said so.
        let list = policy.redact(.array([arrest]), eventType: "police.arrest.made", for: requester([.officer], "community_supervision", .supervision))
        #expect(list.value == .object([:]))
        #expect(list.withheld == [WithheldField(field: "$", classifications: [], reason: .unclassified)])
    }

    @Test("a notification: nested classifications decide inside objects and inside every item of an array")
    func nestedFieldsAndArrays() throws {
        // The contract's notification, with a public rule name inside the reason and public
        // labels inside the facts (the real contract classifies both whole).
        let catalog = try editedContracts([
            ("bus.notifications.yaml", "      facts: [cji, pii]\n", "      facts: [cji, pii]\n      facts.label: public\n      reason.rule: public\n"),
        ])
        let policy = try AccessPolicy(contentsOf: repositoryPolicy, catalog: catalog)
        let notification = try example("bus.notification.routed")
        let integrator = policy.redact(notification, eventType: "bus.notification.routed", for: requester([.integrator], "community_supervision", .dataIntegration))
        #expect(integrator.value[path: "reason"] == .object(["rule": "supervisee-arrested"]))
        guard case .array(let facts)? = integrator.value[path: "facts"], case .array(let original)? = notification[path: "facts"] else {
            Issue.record("facts is not an array")
            return
        }
        #expect(facts.count == original.count)
        #expect(facts.allSatisfy { $0.memberNames == ["label"] })
        #expect(integrator.value[path: "summary"] == nil)
        #expect(integrator.disclosed.contains(DisclosedField(field: "facts.label", classifications: [.public])))
        #expect(integrator.withheld.contains(WithheldField(field: "facts.value", classifications: [.cji, .pii], reason: .notGranted)))
        #expect(integrator.withheld.contains(WithheldField(field: "reason.matched", classifications: [.cji, .pii], reason: .notGranted)))
        // The withheld list names each contract field once, however many items held it.
        #expect(integrator.withheld.filter { $0.field == "facts.value" }.count == 1)

        // The recipient officer receives it whole; the persons come from the state ID and the matched identifiers.
        let officer = policy.redact(notification, eventType: "bus.notification.routed", for: requester([.officer], "community_supervision", .supervision))
        #expect(officer.value == notification)
        #expect(officer.persons == [PersonIdentifier(identifier: "stateId", value: "MO1234567")])
    }

    @Test("a notification made from a bulletin is health information: its facts need consent, and carry the Part 2 notice")
    func notificationInheritsItsSourcesClassifications() throws {
        let notification = try example("bus.notification.routed")
            .setting("sourceEventType", to: "supervision.mental-health-bulletin.published")
            .setting("facts", to: .array([.object(["label": "baseline", "value": "Calm when well; may not answer when unwell."])]))
        let crisisOfficer = requester([.officer], "police", .crisisResponse)
        let withoutConsent = policy.redact(notification, eventType: "bus.notification.routed", for: crisisOfficer)
        #expect(withoutConsent.value[path: "facts"] == nil)
        #expect(withoutConsent.value[path: "summary"] == nil)
        #expect(withoutConsent.withheld.contains(WithheldField(field: "facts", classifications: [.cji, .health, .pii], reason: .consentNotInForce)))
        #expect(withoutConsent.value[path: "id"] == notification[path: "id"])

        let withConsent = policy.redact(notification, eventType: "bus.notification.routed", for: crisisOfficer, context: DisclosureContext(consentInForce: true))
        #expect(withConsent.value == notification)
        #expect(withConsent.notices == [.part2Redisclosure])

        // The same notification made from an arrest needs no consent.
        let arrest = try example("bus.notification.routed")
        #expect(policy.redact(arrest, eventType: "bus.notification.routed", for: requester([.officer], "community_supervision", .supervision)).withheld.isEmpty)
        // From an event type nothing describes: what it carries is unknown, so it is withheld.
        let unknown = policy.redact(notification.setting("sourceEventType", to: "police.rumour.heard"), eventType: "bus.notification.routed",
                                    for: requester([.officer], "community_supervision", .supervision))
        #expect(unknown.withheld.first { $0.field == "facts" }?.reason == .unclassified)
        #expect(unknown.value[path: "recipient"] == notification[path: "recipient"])
    }

    @Test("the repository's notification contract: the whole summary, reason and facts go together")
    func notificationAsContracted() throws {
        let notification = try example("bus.notification.routed")
        let reentry = policy.redact(notification, eventType: "bus.notification.routed", for: requester([.reentryServices], "reentry_services", .serviceReferral))
        // Summary, reason and facts are CJI and PII: not for a reentry provider.
        #expect(reentry.value.memberNames == ["id", "recipient", "priority", "sourceEventId", "sourceEventType"])
        #expect(Set(reentry.withheld.map(\.field)) == ["summary", "reason", "facts", "occurredAt", "subjectStateId"])
    }
}
