import Contracts

/// Who may end or change what another agency started. `courts.warrants` and `custody.releases`
/// are written by several kinds of agency (any police department serves warrants, any jail or
/// prison releases), and a topic's producers are checked by kind only: without this, any of
/// them could recall another court's warrant or cancel another facility's release by its id,
/// and a warrant check would turn clear with the warrant still standing.
///
/// - a warrant is never issued again by another agency than the one that issued it, and is
///   recalled only by that agency (quashed by it or by a court: an appeal sets it aside);
/// - a warrant is served by the agency that sends the event, which must be the one it names as
///   serving it;
/// - a detainer is never lodged again by another agency than the one that asked for the
///   hold, and lifted only by that agency;
/// - a release is scheduled again, changed, cancelled or completed only by the agency that
///   scheduled it.
///
/// An event from anyone else is refused (a dead letter naming the field and whose record it
/// is) and changes nothing. Where the record is not known yet (a recall read before its
/// issue), there is nobody to compare with and the event is taken as it comes; the agency a
/// release belongs to is the one whose schedule (or completion, without a schedule) came
/// first. The warrant resolver, the router and the views apply the same rules, so a warrant
/// check, a notice and a view never disagree about a refused event.
public enum RecordAuthority {
    /// A warrant is issued only by the agency that issued it first: otherwise one agency could
    /// issue an existing warrant again under its own name and then recall it. (That the sender
    /// is the agency it names is the gateway's check, 403: `courts.warrants` is kept forever,
    /// and events written before that check may name another agency; refusing them here would
    /// make a rebuild lose warrants the running service keeps.)
    public static func warrantIssued(_ issued: EventEnvelope<WarrantIssued>, issuer: String?) throws(PoisonMessage) {
        let warrant = issued.payload
        guard let issuer, issuer != warrant.issuingAgencyId else { return }
        throw PoisonMessage(reason: """
            \(WarrantIssued.eventType): payload.issuingAgencyId: warrant \(warrant.warrantId) was issued by \(issuer); another \
            agency cannot issue it again
            """)
    }

    /// A detainer is lodged only by the agency that lodged it first (as `warrantIssued`).
    public static func detainerLodged(_ lodged: EventEnvelope<DetainerLodged>, holder: String?) throws(PoisonMessage) {
        let detainer = lodged.payload
        guard let holder, holder != detainer.requestingAgencyId else { return }
        throw PoisonMessage(reason: """
            \(DetainerLodged.eventType): payload.requestingAgencyId: detainer \(detainer.detainerId) was lodged by \(holder); \
            another agency cannot lodge it again
            """)
    }

    /// Who recalled or quashed a warrant whose issue was not read yet, to be judged once it is
    /// (`warrantEnded` then): the recaller, a quashing agency that is not a court; nil when
    /// nothing is left to judge (a court's quash, a service: anyone's).
    public static func pendingJudgement(of eventType: String, by source: SourceAgency) -> String? {
        switch eventType {
        case WarrantRecalled.eventType: source.agencyId
        case WarrantQuashed.eventType where source.agencyKind != .court: source.agencyId
        default: nil
        }
    }

    /// A recall only by the issuer; a quash by the issuer or by a court (an appellate court
    /// sets a warrant aside; the router tells the issuing court, `issued-warrant-resolved`).
    public static func warrantEnded(_ eventType: String, warrantId: String, by source: SourceAgency, issuer: String?) throws(PoisonMessage) {
        guard let issuer, issuer != source.agencyId else { return }
        if eventType == WarrantQuashed.eventType, source.agencyKind == .court { return }
        throw PoisonMessage(reason: """
            \(eventType): source.agencyId: \(source.agencyId) did not issue warrant \(warrantId); only its issuing agency \
            (\(issuer)) recalls it, and it or a court quashes it
            """)
    }

    public static func warrantServed(_ served: EventEnvelope<WarrantServed>) throws(PoisonMessage) {
        guard served.payload.servingAgencyId != served.source.agencyId else { return }
        throw PoisonMessage(reason: """
            \(WarrantServed.eventType): payload.servingAgencyId: \(served.payload.servingAgencyId) is not the agency that sent \
            the event (\(served.source.agencyId)); an agency reports only the warrants it served
            """)
    }

    public static func detainerLifted(_ detainerId: String, by source: SourceAgency, holder: String?) throws(PoisonMessage) {
        guard let holder, holder != source.agencyId else { return }
        throw PoisonMessage(reason: """
            \(DetainerLifted.eventType): source.agencyId: \(source.agencyId) did not lodge detainer \(detainerId); only the \
            agency that asked for the hold (\(holder)) lifts it
            """)
    }

    /// Whether an event of `eventType` makes a release known, and its sender the agency that
    /// speaks for it from then on: a schedule or a completion. A change or a cancellation of a
    /// release not known yet claims nothing. The resolver, the router and the views decide alike.
    public static func definesRelease(_ eventType: String) -> Bool {
        eventType == ReleaseScheduled.eventType || eventType == ReleaseCompleted.eventType
    }

    public static func releaseChanged(_ eventType: String, releaseId: String, by source: SourceAgency, releasingAgency: String?) throws(PoisonMessage) {
        guard let releasingAgency, releasingAgency != source.agencyId else { return }
        throw PoisonMessage(reason: """
            \(eventType): source.agencyId: \(source.agencyId) did not schedule release \(releaseId); only the agency that \
            did (\(releasingAgency)) schedules it again, changes, cancels or completes it
            """)
    }
}
