import Contracts
import ServiceKit

/// Who may end or change what another agency started. `courts.warrants` and `custody.releases`
/// are written by several kinds of agency (any police department serves warrants, any jail or
/// prison releases), and a topic's producers are checked by kind only: without this, any of
/// them could recall another court's warrant or cancel another facility's release by its id,
/// and a warrant check would turn clear with the warrant still standing.
///
/// - a warrant is recalled or quashed only by the agency that issued it;
/// - a warrant is served by the agency that sends the event, which must be the one it names as
///   serving it;
/// - a detainer is lifted only by the agency that asked for the hold;
/// - a release is changed, cancelled or completed only by the agency that scheduled it.
///
/// An event from anyone else is refused (a dead letter naming the field and whose record it
/// is) and changes nothing. Where the record is not known yet (a recall read before its
/// issue), there is nobody to compare with and the event is taken as it comes.
enum RecordAuthority {
    static func warrantEnded(_ eventType: String, warrantId: String, by source: SourceAgency, issuer: String?) throws(PoisonMessage) {
        guard let issuer, issuer != source.agencyId else { return }
        throw PoisonMessage(reason: """
            \(eventType): source.agencyId: \(source.agencyId) did not issue warrant \(warrantId); only its issuing agency \
            (\(issuer)) recalls or quashes it
            """)
    }

    static func warrantServed(_ served: EventEnvelope<WarrantServed>) throws(PoisonMessage) {
        guard served.payload.servingAgencyId != served.source.agencyId else { return }
        throw PoisonMessage(reason: """
            \(WarrantServed.eventType): payload.servingAgencyId: \(served.payload.servingAgencyId) is not the agency that sent \
            the event (\(served.source.agencyId)); an agency reports only the warrants it served
            """)
    }

    static func detainerLifted(_ detainerId: String, by source: SourceAgency, holder: String?) throws(PoisonMessage) {
        guard let holder, holder != source.agencyId else { return }
        throw PoisonMessage(reason: """
            \(DetainerLifted.eventType): source.agencyId: \(source.agencyId) did not lodge detainer \(detainerId); only the \
            agency that asked for the hold (\(holder)) lifts it
            """)
    }

    static func releaseChanged(_ eventType: String, releaseId: String, by source: SourceAgency, releasingAgency: String?) throws(PoisonMessage) {
        guard let releasingAgency, releasingAgency != source.agencyId else { return }
        throw PoisonMessage(reason: """
            \(eventType): source.agencyId: \(source.agencyId) did not schedule release \(releaseId); only the agency that \
            did (\(releasingAgency)) changes, cancels or completes it
            """)
    }
}
