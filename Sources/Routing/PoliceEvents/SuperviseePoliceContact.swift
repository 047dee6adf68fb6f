import Contracts
import Notifications
import ServiceKit

/// Rule `supervisee-police-contact` (the brief's task-force practice): a police contact
/// (`police.contact.recorded`, `police.contacts`, keyed by the supervisee's state ID) goes to the
/// supervising officer (or agency) of every case of the subject — matched on state ID or FBI
/// number — that covers the contact's day (UTC), routine priority, when it was one of three
/// things, the first that holds naming the reason:
///
/// 1. `supervisee`: police met the supervisee (`relationToSubject` `self`);
/// 2. `household-member`: police met a member of the household listed with the case's
///    registered address (`SupervisionCase.householdMembers`), matched on name: the first given
///    name and the family name, case, accents and punctuation folded. The list carries no date
///    of birth, so none is compared; a person met without a given name matches nobody;
/// 3. `registered-address`: the contact happened at the case's registered address — compared as
///    the officer-safety check compares places (`PoliceMatching.isRegisteredAddress`) — or the
///    police recorded it as at the subject's residence (`atSubjectResidence`).
///
/// A contact that is none of these (an associate met elsewhere, someone police call a household
/// member who is not on the case's list, away from the registered address) is not routed.
/// The address and household are the case's latest (a later address change re-examines the
/// contacts kept: one at the new address then routes).
enum SuperviseePoliceContact {
    static let rule = "supervisee-police-contact"

    /// Why a contact concerns a case.
    enum Ground: String, Sendable, Hashable {
        case supervisee
        case householdMember = "household-member"
        case registeredAddress = "registered-address"
    }

    /// Checks what the rule needs beyond what the decoder did.
    ///
    /// - Throws: `PoisonMessage` naming `payload.personContacted` when police met someone other
    ///   than the subject without saying whom (the contract requires it).
    static func check(_ contact: EventEnvelope<ContactRecorded>) throws(PoisonMessage) {
        if contact.payload.relationToSubject != .subject, contact.payload.personContacted == nil {
            throw PoisonMessage(reason: "\(ContactRecorded.eventType): payload.personContacted is missing: a contact with a \(contact.payload.relationToSubject.rawValue) must say whom police met")
        }
    }

    /// The ground on which `contact` concerns `supervision`, with what matched; nil: none.
    static func ground(of contact: ContactRecorded, for supervision: SupervisionCase) -> (Ground, [MatchedIdentifier])? {
        if contact.relationToSubject == .subject { return (.supervisee, []) }
        if let member = PoliceMatching.householdMember(contact.personContacted, of: supervision) {
            let name = Describe.name(member.name) ?? member.name.family
            return (.householdMember, [MatchedIdentifier("householdMember", "\(name) (\(member.relationship))")])
        }
        if let registered = supervision.address, PoliceMatching.isRegisteredAddress(contact.location, registered) {
            return (.registeredAddress, [MatchedIdentifier("registeredAddress", Describe.address(registered) ?? registered.line1)])
        }
        if contact.atSubjectResidence { return (.registeredAddress, [MatchedIdentifier("atSubjectResidence", "true")]) }
        return nil
    }

    static func notifications(for contact: EventEnvelope<ContactRecorded>, audiences: [PoliceAudience]) -> [BusNotification] {
        audiences.compactMap { audience in
            switch audience {
            case .supervision(let supervision, _):
                guard let found = ground(of: contact.payload, for: supervision) else { return nil }
                return ContactNotification.make(contact, for: audience, ground: found.0, matched: found.1)
            case .subscription:
                return ContactNotification.make(contact, for: audience, ground: nil, matched: [])
            }
        }
    }
}
