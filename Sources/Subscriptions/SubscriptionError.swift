import Contracts
import Foundation

/// Why a subscription (new, renewed or cancelled) is refused, naming the field (as the
/// contract names it) and why. Messages carry agency and subscription ids, codes and instants,
/// never the purpose, the basis's text, a person's identifiers or a malformed value as given
/// (it might be any of those): they may be logged.
public enum SubscriptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `subscriber` is not `kind:id` with kind officer, unit or agency.
    case invalidSubscriber(String)
    /// `createdBy`, `renewedBy` or `cancelledBy` is not `officer:…` or `operator:…`.
    case invalidActor(field: String, value: String)
    /// An officer or unit without the agency it belongs to.
    case missingSubscriberAgency(Subscriber)
    /// `agency:X` said to belong to another agency than X.
    case subscriberAgencyMismatch(subscriber: Subscriber, agencyId: String)
    /// The subscriber's agency is not in the agency directory (never described, or retired).
    case unknownSubscriberAgency(String)
    /// The agency whose feed is followed is not in the agency directory.
    case unknownSubjectAgency(String)
    /// The subject is not exactly one person, place or agency feed (see ``Subscription/Subject``).
    case invalidSubject(String)
    case noEventKinds
    /// No purpose, or only white space.
    case missingPurpose
    /// No legal basis.
    case missingLegalBasis
    /// The basis `other` without its text.
    case missingLegalBasisText
    /// A basis the subscriber's agency cannot rely on (28 CFR Part 23 intelligence goes to
    /// law-enforcement authorities only).
    case legalBasisNotForAgency(basis: SubscriptionLegalBasis, agencyId: String, kind: AgencyKind)
    /// A new subscription starting before it is created: it would route, the moment it is
    /// recorded, what happened before anyone asked for it.
    case startBeforeCreation(startsAt: Date, moment: Date)
    /// The expiry is not after the start.
    case expiryNotAfterStart(startsAt: Date, expiresAt: Date)
    /// The expiry is not after the moment of the request.
    case expiryInPast(expiresAt: Date, moment: Date)
    /// The expiry is more than one year after the start or the renewal.
    case expiryBeyondLimit(expiresAt: Date, limit: Date)
    /// A cancelled subscription cannot be renewed or cancelled again.
    case cancelled(id: String)
    /// An expired subscription cannot be renewed: its purpose and basis are to be stated again.
    case expired(id: String, at: Date)

    /// The field refused, as the contract names it (`legalBasis.text`, `subject.agencyFeed.agencyId`).
    public var field: String {
        switch self {
        case .invalidSubscriber: "subscriber"
        case .invalidActor(let field, _): field
        case .missingSubscriberAgency, .subscriberAgencyMismatch, .unknownSubscriberAgency: "subscriberAgencyId"
        case .unknownSubjectAgency: "subject.agencyFeed.agencyId"
        case .invalidSubject: "subject"
        case .noEventKinds: "eventKinds"
        case .missingPurpose: "purpose"
        case .missingLegalBasis: "legalBasis"
        case .missingLegalBasisText: "legalBasis.text"
        case .legalBasisNotForAgency: "legalBasis.basis"
        case .startBeforeCreation: "startsAt"
        case .expiryNotAfterStart, .expiryInPast, .expiryBeyondLimit, .expired: "expiresAt"
        case .cancelled: "status"
        }
    }

    /// Why, in a sentence without the field's name.
    public var reason: String {
        func instant(_ date: Date) -> String { EventCodec.formatInstant(date) }
        switch self {
        case .invalidSubscriber:
            return "not kind:id with a kind among officer, unit, agency (e.g. officer:PP-KC-118)"
        case .invalidActor:
            return "not officer:ID or operator:ID (e.g. operator:bus-ops-1)"
        case .missingSubscriberAgency(let subscriber):
            return "\(subscriber) must name the agency it belongs to"
        case .subscriberAgencyMismatch(let subscriber, let agencyId):
            return "\(subscriber) is an agency, so its agency is \(subscriber.id), not \(agencyId)"
        case .unknownSubscriberAgency(let agencyId):
            return "\(agencyId) is not in the agency directory (never described, or retired)"
        case .unknownSubjectAgency(let agencyId):
            return "\(agencyId) is not in the agency directory (never described, or retired)"
        case .invalidSubject(let why):
            return why
        case .noEventKinds:
            return "name at least one kind of event (\(SubscriptionEventKind.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .missingPurpose:
            return "a subscription states why the subscriber needs to know"
        case .missingLegalBasis:
            let bases = SubscriptionLegalBasis.allCases.map(\.rawValue).joined(separator: ", ")
            return "a subscription states what entitles the subscriber to know (\(bases))"
        case .missingLegalBasisText:
            return "the basis other is described in words"
        case .legalBasisNotForAgency(let basis, let agencyId, let kind):
            return "\(basis.rawValue) (28 CFR Part 23) goes to law-enforcement authorities only; \(agencyId) is \(kind.rawValue)"
        case .startBeforeCreation(let startsAt, let moment):
            return "\(instant(startsAt)) is before the subscription is created (now \(instant(moment))): it would route what happened before it was asked for"
        case .expiryNotAfterStart(let startsAt, let expiresAt):
            return "\(instant(expiresAt)) is not after the start, \(instant(startsAt))"
        case .expiryInPast(let expiresAt, let moment):
            return "\(instant(expiresAt)) is in the past (now \(instant(moment)))"
        case .expiryBeyondLimit(let expiresAt, let limit):
            return "\(instant(expiresAt)) is more than one year ahead; at most \(instant(limit)) (renew it before then)"
        case .cancelled(let id):
            return "subscription \(id) is cancelled; add a new one"
        case .expired(let id, let at):
            return "subscription \(id) expired at \(instant(at)); add a new one, stating its purpose and basis again"
        }
    }

    public var description: String { "\(field): \(reason)" }
}
