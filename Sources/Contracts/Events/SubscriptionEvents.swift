import Foundation

/// A person followed by a subscription, by the identifiers events carry (at least one); an
/// event matches on either.
public struct SubscribedPerson: Codable, Sendable, Hashable {
    public var stateId: String?
    public var fbiNumber: String?

    public init(stateId: String? = nil, fbiNumber: String? = nil) {
        self.stateId = stateId
        self.fbiNumber = fbiNumber
    }
}

/// A place (city, town) or a county of a state followed by a subscription: exactly one of
/// `place` and `county`, compared as the agency directory compares names.
public struct SubscribedPlace: Codable, Sendable, Hashable {
    /// Two-letter state code.
    public var state: String
    public var place: String?
    public var county: String?

    public init(state: String, place: String? = nil, county: String? = nil) {
        self.state = state
        self.place = place
        self.county = county
    }
}

/// Another agency's feed followed by a subscription: what that agency publishes.
public struct SubscribedAgencyFeed: Codable, Sendable, Hashable {
    public var agencyId: String

    public init(agencyId: String) { self.agencyId = agencyId }
}

/// What a subscription follows: exactly one of a person, a place or an agency's feed (the
/// contract refuses none or two). The `Subscriptions` module reads it as an enumeration.
public struct SubscriptionSubject: Codable, Sendable, Hashable {
    public var person: SubscribedPerson?
    public var place: SubscribedPlace?
    public var agencyFeed: SubscribedAgencyFeed?

    public init(person: SubscribedPerson? = nil, place: SubscribedPlace? = nil, agencyFeed: SubscribedAgencyFeed? = nil) {
        self.person = person
        self.place = place
        self.agencyFeed = agencyFeed
    }
}

/// What entitles the subscriber to the information: a basis from the glossary, what it rests
/// on, and for `other` the basis in words. Handled as criminal intelligence (a 28 CFR Part 23
/// basis states the suspicion): never logged above debug.
public struct LegalBasis: Codable, Sendable, Hashable {
    public var basis: SubscriptionLegalBasis
    /// The statute, order, agreement or case, e.g. `RSMo 217.690`.
    public var citation: String?
    /// The basis in words; required for `other`.
    public var text: String?

    public init(basis: SubscriptionLegalBasis, citation: String? = nil, text: String? = nil) {
        self.basis = basis
        self.citation = citation
        self.text = text
    }
}

/// Whether a subscription may still route. Expiry is not a status: it follows from the time
/// asked about, so a replay at another moment agrees.
public enum SubscriptionStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case active
    /// Ended for good; a new subscription is needed to follow the subject again.
    case cancelled
}

/// One renewal: who moved the expiry, when, and to when.
public struct SubscriptionRenewal: Codable, Sendable, Hashable {
    public var renewedAt: Date
    /// `officer:…` or `operator:…`.
    public var renewedBy: String
    public var expiresAt: Date

    public init(renewedAt: Date, renewedBy: String, expiresAt: Date) {
        self.renewedAt = renewedAt
        self.renewedBy = renewedBy
        self.expiresAt = expiresAt
    }
}

/// Who cancelled a subscription, when, and why.
public struct SubscriptionCancellation: Codable, Sendable, Hashable {
    public var cancelledAt: Date
    /// `officer:…` or `operator:…`.
    public var cancelledBy: String
    public var reason: String?

    public init(cancelledAt: Date, cancelledBy: String, reason: String? = nil) {
        self.cancelledAt = cancelledAt
        self.cancelledBy = cancelledBy
        self.reason = reason
    }
}

/// `bus.subscription.recorded` version 1: the whole current state of one explicit subscription,
/// new or changed (created, renewed, cancelled); it replaces the previous one (the topic is
/// compacted by `subscriptionId`, so no event is partial). The envelope's source is the
/// subscriber's agency; it has no subject.
public struct SubscriptionRecorded: EventPayload {
    public static let eventType = "bus.subscription.recorded"
    public static let schemaVersion = 1

    /// A UUID chosen at creation, in lower case; the topic's key.
    public var subscriptionId: String
    /// Who is told, `kind:id`: `officer:…`, `unit:…` or `agency:…`.
    public var subscriber: String
    /// The agency the subscriber belongs to (for `agency:X`, X).
    public var subscriberAgencyId: String
    public var subject: SubscriptionSubject
    public var eventKinds: [SubscriptionEventKind]
    /// Why the subscriber needs to know.
    public var purpose: String
    public var legalBasis: LegalBasis
    public var startsAt: Date
    /// At most one year after `startsAt` or the last renewal.
    public var expiresAt: Date
    /// `officer:…` or `operator:…`.
    public var createdBy: String
    public var createdAt: Date
    public var status: SubscriptionStatus
    /// Oldest first.
    public var renewals: [SubscriptionRenewal]
    /// Present when `status` is cancelled.
    public var cancellation: SubscriptionCancellation?

    public init(
        subscriptionId: String, subscriber: String, subscriberAgencyId: String, subject: SubscriptionSubject,
        eventKinds: [SubscriptionEventKind], purpose: String, legalBasis: LegalBasis, startsAt: Date, expiresAt: Date,
        createdBy: String, createdAt: Date, status: SubscriptionStatus = .active, renewals: [SubscriptionRenewal] = [],
        cancellation: SubscriptionCancellation? = nil
    ) {
        self.subscriptionId = subscriptionId
        self.subscriber = subscriber
        self.subscriberAgencyId = subscriberAgencyId
        self.subject = subject
        self.eventKinds = eventKinds
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.startsAt = startsAt
        self.expiresAt = expiresAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.status = status
        self.renewals = renewals
        self.cancellation = cancellation
    }
}
