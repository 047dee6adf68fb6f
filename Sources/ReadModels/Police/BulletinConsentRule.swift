import Contracts
import Directory
import Foundation
import ServiceKit

/// When a mental-health bulletin may be kept by the police view at all: its consent must be in
/// force on some day and its scope must allow police to see it. A bulletin failing either was
/// shared without consent that allows it: a poison message (dead-lettered, never stored).
///
/// The contract gives the scope as free text ("Kansas City Police Department patrol and
/// crisis intervention team"), so "allows police" is read from the words by the rule the router
/// delivers by (`BulletinConsentScope.mayIncludePolice`): the scope must speak of police, law
/// enforcement or a sheriff (any case, accents and spacing ignored) and hold no negation ("not
/// police" cannot be read safely). Which police agency may see a kept bulletin is decided per
/// query (`PoliceViewStore.bulletins(for:in:asOf:in:)`): the agencies the scope names, else any.
enum BulletinConsentRule {
    static func check(_ consent: BulletinConsent) throws(PoisonMessage) {
        guard consent.grantedOn <= consent.expiresOn else {
            throw PoisonMessage(reason: "payload.consent.expiresOn is before payload.consent.grantedOn: the consent is in force on no day")
        }
        guard allowsPolice(consent.scope) else {
            throw PoisonMessage(reason: "payload.consent.scope does not allow sharing with police: it names neither police, law enforcement nor a sheriff, or holds a negation")
        }
    }

    static func allowsPolice(_ scope: String) -> Bool { BulletinConsentScope.mayIncludePolice(scope) }
}
