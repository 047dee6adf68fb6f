/// Where a release stands, from the events of `custody.releases` read so far.
public enum ReleaseStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// A date is set (`custody.release.scheduled`).
    case scheduled
    /// The date or details changed since it was scheduled (`custody.release.changed`).
    case changed
    /// It will not happen (`custody.release.cancelled`); a later schedule reopens it.
    case cancelled
    /// The person has left the facility (`custody.release.completed`); nothing reopens it.
    case completed

    /// Still ahead: scheduled or changed.
    var isUpcoming: Bool { self == .scheduled || self == .changed }
}
