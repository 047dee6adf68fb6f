import Contracts
import Foundation
import ServiceKit

/// When a mental-health bulletin may be kept by the police view at all: its consent must be in
/// force on some day and its scope must allow police to see it. A bulletin failing either was
/// shared without consent that allows it: a poison message (dead-lettered, never stored).
///
/// The contract gives the scope as free text ("Kansas City Police Department patrol and
/// crisis intervention team"), so "allows police" is read from the words: the scope must
/// name police, law enforcement or a sheriff (any case, accents and spacing ignored).
enum BulletinConsentRule {
    static let policeTerms = ["police", "law enforcement", "sheriff"]

    static func check(_ consent: BulletinConsent) throws(PoisonMessage) {
        guard consent.grantedOn <= consent.expiresOn else {
            throw PoisonMessage(reason: "payload.consent.expiresOn is before payload.consent.grantedOn: the consent is in force on no day")
        }
        guard allowsPolice(consent.scope) else {
            throw PoisonMessage(reason: "payload.consent.scope does not allow sharing with police: it names neither police, law enforcement nor a sheriff")
        }
    }

    static func allowsPolice(_ scope: String) -> Bool {
        let words = scope.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
            .split(whereSeparator: { $0.isWhitespace || $0.isPunctuation })
        let text = " " + words.joined(separator: " ") + " "
        return policeTerms.contains { text.contains($0) }
    }
}
