import Contracts
import Foundation

/// One release on a facility's board.
public struct ReleaseBoardRow: Codable, Sendable, Hashable {
    public var releaseId: String
    public var person: PersonOnRecord
    public var status: ReleaseStatus
    public var facility: Facility
    /// The latest expected release (nil for a release completed with no schedule read).
    public var expectedAt: Date?
    /// When the person left (completed releases).
    public var releasedAt: Date?
    public var releaseType: ReleaseType?
    public var destination: Address?
    public var supervisionType: SupervisionType?
    public var supervisingAgencyId: String?
    /// `hold` with an active detainer, else `pending` with an active warrant, else `clear`
    /// (at the moment asked about).
    public var warrantCheck: WarrantCheckStatus
    /// The person's warrants active at the moment asked about, oldest first.
    public var activeWarrants: [ActiveWarrant]
    /// The person's detainers active at the moment asked about, oldest first.
    public var activeDetainers: [ActiveDetainer]
    /// Who was told about the release or the person, oldest first.
    public var told: [ToldRecipient]
}

/// A release's warrant check, as the warrant resolver names its states.
public enum WarrantCheckStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// No active warrant or detainer.
    case clear
    /// An active warrant to resolve before the release.
    case pending
    /// An active detainer: the facility must hold the person.
    case hold
}

/// One notification about a release or its person.
public struct ToldRecipient: Codable, Sendable, Hashable {
    /// What links the notification to the release.
    public enum About: String, Codable, Sendable, Hashable {
        /// Its source event is one of the release's events, or it names the release id.
        case release
        /// It is about the person (same state ID), from another event.
        case person
    }

    public var notificationId: String
    /// `kind:id`, e.g. `agency:MO-KCPD`, `facility:WERDCC`.
    public var recipient: String
    /// The rule that sent it, e.g. `release-warrant-pending`.
    public var rule: String
    public var priority: String
    /// When the event it reports happened.
    public var occurredAt: Date
    public var sourceEventType: String
    public var about: About
}
