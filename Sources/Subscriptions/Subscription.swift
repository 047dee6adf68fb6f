import Contracts
import Foundation

/// An explicit subscription as the router and the tools see it: who is told (``Subscriber``),
/// of which kinds of events about what (``Subject``), why and on what basis, from when until
/// when. The state a `bus.subscription.recorded` event carries (``recorded``), read into types
/// that cannot be half-formed: a subject is exactly one thing, the kinds are a set.
///
/// Whether it routes depends on the moment asked about, never on a clock (``isActive(asOf:)``),
/// so a replay at the same moments routes the same. The one-year limit holds whatever was
/// written: an expiry beyond it counts as the limit (``effectiveExpiry``).
public struct Subscription: Sendable, Hashable {
    /// What a subscription follows.
    public enum Subject: Sendable, Hashable {
        /// A person, by state ID, FBI number or both (an event matches on either); at least one.
        case person(stateId: String?, fbiNumber: String?)
        /// A city or town of a state (compared as ``Directory/PlaceKey`` compares names).
        case place(state: String, place: String)
        /// A county of a state.
        case county(state: String, county: String)
        /// What one agency publishes.
        case agencyFeed(agencyId: String)

        /// The agency of an agency feed, which must be in the directory.
        public var feedAgencyId: String? {
            if case .agencyFeed(let agencyId) = self { return agencyId }
            return nil
        }
    }

    /// A UUID in lower case, the topic's key.
    public var id: String
    public var subscriber: Subscriber
    /// The agency the subscriber belongs to (for `agency:X`, X).
    public var subscriberAgencyId: String
    public var subject: Subject
    /// Sorted, each once.
    public var eventKinds: [SubscriptionEventKind]
    /// Why the subscriber needs to know. Criminal intelligence under a 28 CFR Part 23 basis:
    /// never logged above debug.
    public var purpose: String
    public var legalBasis: LegalBasis
    public var startsAt: Date
    /// As written; see ``effectiveExpiry``.
    public var expiresAt: Date
    /// `officer:…` or `operator:…`.
    public var createdBy: String
    public var createdAt: Date
    public var status: SubscriptionStatus
    /// Oldest first.
    public var renewals: [SubscriptionRenewal]
    public var cancellation: SubscriptionCancellation?

    public init(
        id: String, subscriber: Subscriber, subscriberAgencyId: String, subject: Subject, eventKinds: some Sequence<SubscriptionEventKind>,
        purpose: String, legalBasis: LegalBasis, startsAt: Date, expiresAt: Date, createdBy: String, createdAt: Date,
        status: SubscriptionStatus = .active, renewals: [SubscriptionRenewal] = [], cancellation: SubscriptionCancellation? = nil
    ) {
        self.id = id
        self.subscriber = subscriber
        self.subscriberAgencyId = subscriberAgencyId
        self.subject = subject
        self.eventKinds = Set(eventKinds).sorted()
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

    // MARK: Time

    /// Where the one-year limit counts from: the last renewal, else the start.
    public var renewalBase: Date { renewals.last?.renewedAt ?? startsAt }

    /// The latest expiry allowed: one calendar year (UTC) after ``renewalBase``.
    public var expiryLimit: Date { Self.oneYear(after: renewalBase) }

    /// When it stops routing: the expiry written, or the limit if that is earlier.
    public var effectiveExpiry: Date { min(expiresAt, expiryLimit) }

    /// Whether it routes at `moment`: not cancelled, started, not yet expired. Started means
    /// both its start and its creation have come: a subscription written with a start before it
    /// was created (by a producer other than `subscriptions add`, which refuses one) does not
    /// reach back to what happened before anyone asked for it.
    public func isActive(asOf moment: Date) -> Bool {
        status == .active && max(startsAt, createdAt) <= moment && moment < effectiveExpiry
    }

    /// Whether it asks for events of `kind`.
    public func covers(_ kind: SubscriptionEventKind) -> Bool { eventKinds.contains(kind) }

    /// The same instant one calendar year later in UTC (29 February gives 28 February).
    public static func oneYear(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        // Adding a year to a representable date always succeeds; 365 days is the safe floor.
        return calendar.date(byAdding: .year, value: 1, to: date) ?? date.addingTimeInterval(365 * 86_400)
    }
}

// MARK: - The event's form

extension Subscription {
    /// Reads the state an event carries.
    ///
    /// - Throws: ``SubscriptionError`` naming the field when the subscriber is not `kind:id` with
    ///   a known kind, or the subject is not exactly one person (with an identifier), place
    ///   (with exactly one of place and county) or agency feed. The contract refuses all of
    ///   these, so an event that passed it never throws.
    public init(_ recorded: SubscriptionRecorded) throws(SubscriptionError) {
        guard let subscriber = Subscriber(recorded.subscriber) else { throw .invalidSubscriber(recorded.subscriber) }
        self.init(
            id: recorded.subscriptionId, subscriber: subscriber, subscriberAgencyId: recorded.subscriberAgencyId,
            subject: try Subject(recorded.subject), eventKinds: recorded.eventKinds, purpose: recorded.purpose,
            legalBasis: recorded.legalBasis, startsAt: recorded.startsAt, expiresAt: recorded.expiresAt, createdBy: recorded.createdBy,
            createdAt: recorded.createdAt, status: recorded.status, renewals: recorded.renewals, cancellation: recorded.cancellation)
    }

    /// The state as the `bus.subscription.recorded` event carries it.
    public var recorded: SubscriptionRecorded {
        SubscriptionRecorded(
            subscriptionId: id, subscriber: subscriber.description, subscriberAgencyId: subscriberAgencyId, subject: subject.contract,
            eventKinds: eventKinds, purpose: purpose, legalBasis: legalBasis, startsAt: startsAt, expiresAt: expiresAt,
            createdBy: createdBy, createdAt: createdAt, status: status, renewals: renewals, cancellation: cancellation)
    }
}

extension Subscription.Subject {
    /// Reads the contract's subject; see ``Subscription/init(_:)``.
    public init(_ subject: SubscriptionSubject) throws(SubscriptionError) {
        switch (subject.person, subject.place, subject.agencyFeed) {
        case (let person?, nil, nil):
            guard person.stateId != nil || person.fbiNumber != nil else {
                throw .invalidSubject("a person needs a state ID or an FBI number (a value such as UNKNOWN or zeros says there is none)")
            }
            self = .person(stateId: person.stateId, fbiNumber: person.fbiNumber)
        case (nil, let place?, nil):
            switch (place.place, place.county) {
            case (let name?, nil): self = .place(state: place.state, place: name)
            case (nil, let county?): self = .county(state: place.state, county: county)
            default: throw .invalidSubject("a place needs exactly one of place and county")
            }
        case (nil, nil, let feed?):
            self = .agencyFeed(agencyId: feed.agencyId)
        default:
            throw .invalidSubject("exactly one of person, place and agencyFeed")
        }
    }

    /// The contract's form.
    public var contract: SubscriptionSubject {
        switch self {
        case .person(let stateId, let fbiNumber): SubscriptionSubject(person: SubscribedPerson(stateId: stateId, fbiNumber: fbiNumber))
        case .place(let state, let place): SubscriptionSubject(place: SubscribedPlace(state: state, place: place))
        case .county(let state, let county): SubscriptionSubject(place: SubscribedPlace(state: state, county: county))
        case .agencyFeed(let agencyId): SubscriptionSubject(agencyFeed: SubscribedAgencyFeed(agencyId: agencyId))
        }
    }
}

extension Subscription.Subject: CustomStringConvertible {
    /// For tables: `person MO1234567 / FBI 734591KA2`, `place Kansas City, MO`, `county Jackson, MO`,
    /// `feed of MO-JCSO`. Holds identifiers: print it, never log it above debug.
    public var description: String {
        switch self {
        case .person(let stateId, let fbiNumber):
            "person " + [stateId, fbiNumber.map { "FBI \($0)" }].compactMap { $0 }.joined(separator: " / ")
        case .place(let state, let place): "place \(place), \(state)"
        case .county(let state, let county): "county \(county), \(state)"
        case .agencyFeed(let agencyId): "feed of \(agencyId)"
        }
    }
}
