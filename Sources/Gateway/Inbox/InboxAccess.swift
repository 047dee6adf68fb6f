import Notifications

/// Whose notifications a caller reads: the recipients that are them, and the rule that keeps
/// every other agency's notifications out.
public enum InboxAccess {
    /// The recipients a caller answers for: themselves (`officer:<subject>`), their agency
    /// (`agency:`), its duty desk (`duty:`), each of their roles in it (`role:<agency>/<role>`)
    /// and their units (`unit:`).
    public static func recipients(of caller: Caller) -> [Recipient] {
        var recipients: [Recipient] = [.officer(caller.subject), .agency(caller.agencyId), .duty(caller.agencyId)]
        recipients += caller.roles.map(\.rawValue).sorted().map { Recipient.role($0, of: caller.agencyId) }
        recipients += caller.units.map(Recipient.unit)
        return recipients
    }

    /// Whether `notification` is the caller's: addressed to one of their recipients, and of
    /// their agency. A notification naming another agency (`recipientAgencyId`) is never the
    /// caller's, even if addressed to an officer id they share; one to an officer that names no
    /// agency is not either (nothing proves it is theirs: deny by default). Agency, duty, role
    /// and unit recipients carry the agency in their id.
    public static func isCallers(_ notification: BusNotification, caller: Caller) -> Bool {
        guard recipients(of: caller).contains(notification.recipient) else { return false }
        if let agency = notification.recipientAgencyId { return agency == caller.agencyId }
        return notification.recipient.kind != .officer
    }
}
