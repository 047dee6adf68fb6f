/// Swift mirrors of `Topics/glossary.yaml`. A test checks that each enum has exactly the
/// glossary's codes, so the two cannot drift apart.

/// The kind of organisation that produces or consumes events.
public enum AgencyKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Local detention facility run by a county or city, holding people before trial and for short sentences.
    case jail
    /// State or federal correctional facility holding people serving longer sentences.
    case prison
    /// Probation, parole or pretrial services agency supervising people in the community.
    case communitySupervision = "community_supervision"
    /// Municipal or state law enforcement agency.
    case police
    /// County sheriff's office, often running the jail as well as patrol.
    case sheriff
    /// Trial or appellate court, including its clerk's office.
    case court
    /// District attorney's or state attorney's office.
    case prosecutor
    /// Social service provider or reentry coordinator working with people leaving custody.
    case reentryServices = "reentry_services"
    /// State or regional intelligence centre sharing threat information among agencies.
    case fusionCenter = "fusion_center"
}

/// The legal basis on which a person is supervised in the community.
public enum SupervisionType: String, Codable, Sendable, Hashable, CaseIterable {
    /// Court-ordered supervision instead of, or after part of, a jail or prison sentence.
    case probation
    /// Discretionary release from prison by a parole board, with supervision for the rest of the term.
    case parole
    /// Supervision that follows a completed prison term by statute, without a board decision.
    case postReleaseSupervision = "post_release_supervision"
    /// Supervision of a person released while charges are pending, before any conviction.
    case pretrial
    /// Release required by law once a set share of the sentence is served, with supervision.
    case mandatorySupervision = "mandatory_supervision"
    /// Supervision transferred from another state under the Interstate Compact for Adult Offender Supervision.
    case interstateCompact = "interstate_compact"
}

/// How a person leaves a jail or prison.
public enum ReleaseType: String, Codable, Sendable, Hashable, CaseIterable {
    /// Released on posting bail or a bond; often at short notice from a jail.
    case bailBond = "bail_bond"
    /// Released before trial on a promise to appear, without money bail.
    case ownRecognizance = "own_recognizance"
    /// The full term is served; no supervision follows unless ordered separately.
    case sentenceServed = "sentence_served"
    /// Released by parole board decision to parole supervision.
    case parole
    /// Released at the end of the prison term to statutory post-release supervision.
    case postReleaseSupervision = "post_release_supervision"
    /// Released to probation, for example after a split sentence or shock incarceration.
    case probation
    /// Moved to another facility or jurisdiction rather than to the community.
    case transfer
    /// Released on a judge's order (charges dismissed, sentence modified, habeas).
    case courtOrder = "court_order"
    /// Released because the prosecutor declined or dismissed the charges.
    case chargesDropped = "charges_dropped"
    /// Compassionate or medical release.
    case medical
}

/// The kind of facility holding a person.
public enum FacilityKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// County or city detention facility.
    case jail
    /// State or federal prison.
    case prison
    /// Residential facility such as a halfway house or work-release centre.
    case communityCorrectionsCenter = "community_corrections_center"
    /// Juvenile detention or youth correctional facility.
    case juvenile
}

/// What a warrant orders.
public enum WarrantKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Arrest on a new charge, issued on a sworn complaint or indictment.
    case arrest
    /// Issued by a judge, most often for a missed court date or contempt.
    case bench
    /// Issued specifically because the person did not appear in court.
    case failureToAppear = "failure_to_appear"
    /// Arrest for an alleged breach of probation conditions.
    case probationViolation = "probation_violation"
    /// Arrest for an alleged breach of parole or post-release conditions, issued by the paroling authority.
    case paroleViolation = "parole_violation"
    /// Issued for a person wanted in another state, pending extradition.
    case fugitive
}

/// Who asks a facility to hold a person instead of releasing them.
public enum DetainerKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Another county or state wants the person for its own charges or sentence.
    case otherJurisdiction = "other_jurisdiction"
    /// A detainer under the Interstate Agreement on Detainers, with its speedy-trial clock.
    case interstateAgreement = "interstate_agreement"
    /// A federal agency (for example U.S. Marshals) asks for the person.
    case federal
    /// An immigration authority asks for notice or a hold.
    case immigration
    /// The supervising agency asks for a hold pending a violation hearing.
    case supervisionHold = "supervision_hold"
}

/// Why a police officer and a person met.
public enum ContactKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Stop of a vehicle the person drove or rode in.
    case trafficStop = "traffic_stop"
    /// Officer-initiated conversation on the street, recorded on a field interview card.
    case fieldInterview = "field_interview"
    /// Response to a call for help or a report at a place where the person was.
    case callForService = "call_for_service"
    /// Visit to check on someone's safety or health.
    case welfareCheck = "welfare_check"
    /// Response to a person in a mental-health crisis.
    case mentalHealthCrisis = "mental_health_crisis"
    /// Response to a dispute between people living together or related.
    case domesticDisturbance = "domestic_disturbance"
    /// Execution of a search warrant at a place linked to the person.
    case searchWarrant = "search_warrant"
    /// The person was met as a victim or witness, not as a suspect.
    case victimOrWitness = "victim_or_witness"
}

/// How the person police met relates to the event's subject (the supervisee).
public enum RelationToSubject: String, Codable, Sendable, Hashable, CaseIterable {
    /// The subject themself.
    case subject = "self"
    /// Someone living at the subject's address (family member, partner, roommate).
    case householdMember = "household_member"
    /// A known associate who does not live with the subject.
    case associate
}

/// The level a validated risk assessment assigns to the risk of reoffending.
public enum RiskLevel: String, Codable, Sendable, Hashable, CaseIterable {
    /// Unlikely to reoffend; minimal supervision recommended.
    case low
    /// Some risk; standard supervision and targeted services.
    case moderate
    /// Substantial risk; intensive supervision and services recommended.
    case high
    /// Highest tier; the most intensive supervision and focused-deterrence programmes.
    case veryHigh = "very_high"
}

/// An area of need that a risk and needs assessment scores.
public enum NeedDomain: String, Codable, Sendable, Hashable, CaseIterable {
    /// Mental or behavioural health needs.
    case mentalHealth = "mental_health"
    /// Use of alcohol or drugs, and treatment history.
    case substanceUse = "substance_use"
    /// Stable housing on release.
    case housing
    /// Work history and prospects.
    case employment
    /// Schooling and literacy.
    case education
    /// Family and marital relationships.
    case family
    /// Pro-criminal associates and peer groups.
    case peers
    /// Pro-criminal attitudes and thinking.
    case attitudes
}

/// A kind of supervision condition set by a court or parole board.
public enum ConditionKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Report to the officer as scheduled.
    case reporting
    /// Be at home between set hours.
    case curfew
    /// Wear a GPS or radio-frequency monitor.
    case electronicMonitoring = "electronic_monitoring"
    /// Have no contact with a named person or group.
    case noContact = "no_contact"
    /// Stay away from a named place or area.
    case exclusionZone = "exclusion_zone"
    /// Take part in a treatment programme.
    case treatment
    /// Submit to drug or alcohol tests.
    case drugTesting = "drug_testing"
    /// Seek or keep employment.
    case employment
    /// Possess no firearm or other weapon.
    case noWeapons = "no_weapons"
    /// A condition not covered by the codes above, described in words.
    case other
}

/// Why a supervision case ended.
public enum CaseEndReason: String, Codable, Sendable, Hashable, CaseIterable {
    /// The term of supervision ended as planned.
    case completed
    /// Discharged before the end of the term for good compliance.
    case earlyDischarge = "early_discharge"
    /// Supervision was revoked and the person returned to custody.
    case revoked
    /// The person's whereabouts are unknown and a warrant was sought.
    case absconded
    /// Supervision moved to another agency or state.
    case transferred
    /// The person died.
    case deceased
}

/// The kind of violent incident police report.
public enum ViolentIncidentKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// A firearm was discharged at a person, hit or not.
    case shooting
    /// A person was killed by another.
    case homicide
    /// An attack with a knife or other cutting weapon.
    case stabbing
    /// A serious attack causing or threatening serious injury.
    case aggravatedAssault = "aggravated_assault"
    /// Property taken by force or threat of force.
    case robbery
    /// A vehicle taken from a person by force or threat.
    case carjacking
    /// A violent offence not covered above.
    case otherViolent = "other_violent"
}

/// How widely details of an active investigation may travel.
public enum InvestigationSensitivity: String, Codable, Sendable, Hashable, CaseIterable {
    /// Shareable with supervising officers of the persons of interest.
    case routine
    /// Shareable only with named task-force members.
    case restricted
    /// Existence only; details on request to the lead agency.
    case confidential
}

/// The seriousness class of a charge.
public enum OffenseLevel: String, Codable, Sendable, Hashable, CaseIterable {
    /// Punishable by more than a year in prison.
    case felony
    /// Punishable by up to a year in jail.
    case misdemeanor
    /// A violation punishable by a fine only.
    case infraction
}

/// Why a mental-health bulletin is no longer shared.
public enum BulletinWithdrawalReason: String, Codable, Sendable, Hashable, CaseIterable {
    /// The person withdrew their consent.
    case consentRevoked = "consent_revoked"
    /// The consent reached its end date.
    case consentExpired = "consent_expired"
    /// The person is no longer supervised by the agency that shared it.
    case supervisionEnded = "supervision_ended"
    /// A newer bulletin replaces it.
    case superseded
}

/// What an explicit subscription asks to be told of: the kinds of events the routing rules route.
public enum SubscriptionEventKind: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    /// Arrests (police.arrest.made).
    case arrests
    /// Jail bookings (police.booking.recorded).
    case bookings
    /// Police contacts with the person or their household (police.contact.recorded).
    case contacts
    /// Violent incidents naming the person, or in the place (police.violent-incident.reported).
    case incidents
    /// Investigations opened, updated or closed (police.investigations); criminal intelligence,
    /// routed beyond their sensitivity only on a 28 CFR Part 23 basis.
    case investigations
    /// Releases scheduled, changed, cancelled or completed (custody.releases).
    case releases
    /// Warrants issued, served, recalled or quashed, and detainers lodged or lifted (courts.warrants).
    case warrants
    /// Supervision cases started or ended, officers assigned, conditions set, addresses changed,
    /// assessments completed (supervision.cases, supervision.assessments).
    case supervision
    /// Mental-health bulletins published or withdrawn, still only under the person's consent and
    /// its scope (supervision.mental-health-bulletins).
    case bulletins

    /// By code, so lists print and store in one order.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What entitles a subscriber to the information a subscription routes (the right to know of
/// 28 CFR 23.20(e)).
public enum SubscriptionLegalBasis: String, Codable, Sendable, Hashable, CaseIterable {
    /// The subscriber supervises the person under a court order, a parole board decision or a statute.
    case supervisionAuthority = "supervision_authority"
    /// A court order directs or permits the sharing.
    case courtOrder = "court_order"
    /// A statute or regulation requires or permits the sharing.
    case statute
    /// A written agreement between the agencies (memorandum of understanding) covering this sharing.
    case informationSharingAgreement = "information_sharing_agreement"
    /// The subscriber is a member of a joint task force whose charter covers the subject.
    case taskForce = "task_force"
    /// 28 CFR Part 23: reasonable suspicion of definable criminal activity (23.20(a)), shared with a
    /// law-enforcement authority that needs and has the right to know (23.20(e)).
    case criminalIntelligence = "criminal_intelligence"
    /// The person's written consent, within its scope and term (HIPAA, 42 CFR Part 2).
    case consent
    /// A basis not listed, described in words (required).
    case other
}
