import Contracts
import Directory
import Foundation

/// A request for a new subscription, as a person gives it (the command line, later the
/// gateway): what may be missing is optional here, so that its absence is refused with the
/// field's name rather than lost in a parser.
public struct SubscriptionRequest: Sendable, Hashable {
    /// `officer:…`, `unit:…` or `agency:…`.
    public var subscriber: String
    /// The subscriber's agency; for `agency:X` it may be left out (X).
    public var subscriberAgencyId: String?
    public var subject: Subscription.Subject
    public var eventKinds: [SubscriptionEventKind]
    public var purpose: String?
    public var legalBasis: LegalBasis?
    /// Default: the moment of the request.
    public var startsAt: Date?
    /// Default: one year after the start (the limit).
    public var expiresAt: Date?
    /// `officer:…` or `operator:…`.
    public var createdBy: String

    public init(
        subscriber: String, subscriberAgencyId: String? = nil, subject: Subscription.Subject, eventKinds: [SubscriptionEventKind],
        purpose: String?, legalBasis: LegalBasis?, startsAt: Date? = nil, expiresAt: Date? = nil, createdBy: String
    ) {
        self.subscriber = subscriber
        self.subscriberAgencyId = subscriberAgencyId
        self.subject = subject
        self.eventKinds = eventKinds
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.startsAt = startsAt
        self.expiresAt = expiresAt
        self.createdBy = createdBy
    }
}

/// The rules a subscription must meet when it is created, renewed or cancelled, checked at a
/// given moment against a given agency directory (no clock, no storage: the caller brings
/// both, so the same request at the same moment gets the same answer).
///
/// - A purpose and a legal basis (for `other`, its text); at least one kind of event.
/// - The subscriber's agency, and the agency whose feed is followed, are in the directory
///   (a retired agency is not); `agency:X` belongs to X; an officer or unit names its agency.
/// - A `criminal_intelligence` basis (28 CFR Part 23) only for a law-enforcement authority
///   (23.20(e)): not a court, not reentry services.
/// - The expiry is after the start and after the moment, and at most one calendar year after
///   the start (new) or the moment of renewal (renewed).
/// - Only an active, unexpired subscription is renewed; a cancelled one stays cancelled.
public struct SubscriptionRules: Sendable {
    /// When the request is made.
    public let moment: Date
    /// The agency directory as it stands at `moment`.
    public let directory: AgencyDirectory

    /// Agency kinds that are law-enforcement (criminal justice) authorities, who may receive
    /// criminal intelligence under 28 CFR 23.20(e).
    public static let lawEnforcementKinds: Set<AgencyKind> = [
        .police, .sheriff, .communitySupervision, .jail, .prison, .prosecutor, .fusionCenter,
    ]

    public init(moment: Date, directory: AgencyDirectory) {
        self.moment = moment
        self.directory = directory
    }

    /// A new subscription from `request`, with id `id`, created at ``moment``.
    ///
    /// - Throws: ``SubscriptionError`` for the first field found breaking a rule.
    public func admit(_ request: SubscriptionRequest, id: UUID) throws(SubscriptionError) -> Subscription {
        let subscription = try Self.draft(request, id: id, at: moment)
        try checkAgencies(subscription)
        return subscription
    }

    /// The subscription `request` asks for, checked against every rule that needs no directory
    /// (all but the agencies'): what a tool can refuse before it contacts the cluster.
    /// ``admit(_:id:)`` checks the rest.
    ///
    /// - Throws: ``SubscriptionError`` for the first field found breaking a rule.
    public static func draft(_ request: SubscriptionRequest, id: UUID, at moment: Date) throws(SubscriptionError) -> Subscription {
        guard let subscriber = Subscriber(request.subscriber) else { throw .invalidSubscriber(request.subscriber) }
        let agencyId: String
        switch (subscriber.kind, request.subscriberAgencyId) {
        case (.agency, nil): agencyId = subscriber.id
        case (_, let given?): agencyId = given
        case (_, nil): throw .missingSubscriberAgency(subscriber)
        }
        let startsAt = request.startsAt ?? moment
        let subscription = Subscription(
            id: id.uuidString.lowercased(), subscriber: subscriber, subscriberAgencyId: agencyId, subject: request.subject,
            eventKinds: request.eventKinds, purpose: (request.purpose ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            legalBasis: try normalized(request.legalBasis), startsAt: startsAt,
            expiresAt: request.expiresAt ?? Subscription.oneYear(after: startsAt),
            createdBy: try actor(request.createdBy, field: "createdBy"), createdAt: moment)
        try checkFields(subscription, at: moment)
        guard startsAt >= moment else { throw .startBeforeCreation(startsAt: startsAt, moment: moment) }
        return subscription
    }

    /// `subscription` renewed at ``moment`` by `actor` until `until` (default: one year after
    /// the moment, the limit).
    ///
    /// - Throws: ``SubscriptionError``: cancelled, expired, an expiry in the past or beyond the
    ///   limit, an actor that is not `officer:…`/`operator:…`, or an agency no longer in the
    ///   directory.
    public func renew(_ subscription: Subscription, until: Date? = nil, by actor: String) throws(SubscriptionError) -> Subscription {
        guard subscription.status == .active else { throw .cancelled(id: subscription.id) }
        guard moment < subscription.effectiveExpiry else { throw .expired(id: subscription.id, at: subscription.effectiveExpiry) }
        let renewedBy = try Self.actor(actor, field: "renewedBy")
        let expiresAt = until ?? Subscription.oneYear(after: moment)
        var renewed = subscription
        renewed.renewals.append(SubscriptionRenewal(renewedAt: moment, renewedBy: renewedBy, expiresAt: expiresAt))
        renewed.expiresAt = expiresAt
        try check(renewed)
        return renewed
    }

    /// `subscription` cancelled at ``moment`` by `actor`. A subscription that has expired may
    /// still be cancelled (it says so for good).
    ///
    /// - Throws: ``SubscriptionError/cancelled(id:)`` when it already is;
    ///   ``SubscriptionError/invalidActor(field:value:)``.
    public func cancel(_ subscription: Subscription, by actor: String, reason: String? = nil) throws(SubscriptionError) -> Subscription {
        guard subscription.status == .active else { throw .cancelled(id: subscription.id) }
        var cancelled = subscription
        cancelled.status = .cancelled
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        cancelled.cancellation = SubscriptionCancellation(
            cancelledAt: moment, cancelledBy: try Self.actor(actor, field: "cancelledBy"), reason: reason?.isEmpty == false ? reason : nil)
        return cancelled
    }

    /// Checks a whole subscription (as built by ``admit(_:id:)`` or ``renew(_:until:by:)``)
    /// against every rule.
    public func check(_ subscription: Subscription) throws(SubscriptionError) {
        try Self.checkFields(subscription, at: moment)
        try checkAgencies(subscription)
    }

    // MARK: Rules

    /// The rules that need no directory: the subscriber's agency as the subscriber implies it,
    /// event kinds, purpose, legal basis, expiry.
    static func checkFields(_ subscription: Subscription, at moment: Date) throws(SubscriptionError) {
        if case .agency = subscription.subscriber.kind, subscription.subscriberAgencyId != subscription.subscriber.id {
            throw .subscriberAgencyMismatch(subscriber: subscription.subscriber, agencyId: subscription.subscriberAgencyId)
        }
        guard !subscription.eventKinds.isEmpty else { throw .noEventKinds }
        guard !subscription.purpose.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .missingPurpose }
        _ = try normalized(subscription.legalBasis)
        let expiresAt = subscription.expiresAt
        guard expiresAt > subscription.startsAt else { throw .expiryNotAfterStart(startsAt: subscription.startsAt, expiresAt: expiresAt) }
        guard expiresAt > moment else { throw .expiryInPast(expiresAt: expiresAt, moment: moment) }
        guard expiresAt <= subscription.expiryLimit else { throw .expiryBeyondLimit(expiresAt: expiresAt, limit: subscription.expiryLimit) }
    }

    /// The rules of the directory: the subscriber's agency and a followed agency are in it; a
    /// 28 CFR Part 23 basis only for a law-enforcement authority.
    func checkAgencies(_ subscription: Subscription) throws(SubscriptionError) {
        guard let agency = directory.agency(subscription.subscriberAgencyId) else {
            throw .unknownSubscriberAgency(subscription.subscriberAgencyId)
        }
        if let feed = subscription.subject.feedAgencyId, directory.agency(feed) == nil { throw .unknownSubjectAgency(feed) }
        let basis = subscription.legalBasis.basis
        if basis == .criminalIntelligence, !Self.lawEnforcementKinds.contains(agency.kind) {
            throw .legalBasisNotForAgency(basis: basis, agencyId: agency.agencyId, kind: agency.kind)
        }
    }

    // MARK: Fields

    /// The basis with blank citation and text left out; `other` needs its text.
    static func normalized(_ basis: LegalBasis?) throws(SubscriptionError) -> LegalBasis {
        guard var basis else { throw .missingLegalBasis }
        func blankToNil(_ text: String?) -> String? {
            let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed?.isEmpty == false ? trimmed : nil
        }
        basis.citation = blankToNil(basis.citation)
        basis.text = blankToNil(basis.text)
        if basis.basis == .other, basis.text == nil { throw .missingLegalBasisText }
        return basis
    }

    static func actor(_ text: String, field: String) throws(SubscriptionError) -> String {
        guard let actor = SubscriptionActor(text) else { throw .invalidActor(field: field, value: text) }
        return actor.description
    }
}
