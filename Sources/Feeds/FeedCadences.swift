import Contracts

/// How often an agency's system is expected to publish to a topic, by default, per agency kind
/// (what a feed silent for twice as long is measured against). An agency's directory entry
/// overrides it per topic (`feedCadences`): a small jail may book nobody for a day.
///
/// | topic | kind → every |
/// |---|---|
/// | `custody.releases` | jail 1 h, sheriff 1 h, prison 1 day |
/// | `police.arrests` | jail 1 h (bookings), police 2 h, sheriff 2 h |
/// | `police.contacts` | police 2 h, sheriff 4 h |
/// | `police.incidents` | police 1 day, sheriff 1 day |
/// | `police.investigations` | police, sheriff, fusion center 1 week |
/// | `courts.warrants` | court 1 day, community supervision 1 day, police 1 day, sheriff 1 day, prosecutor 1 week |
/// | `supervision.cases` | community supervision 1 day |
/// | `supervision.assessments` | community supervision 1 week, prison 1 week |
/// | `supervision.mental-health-bulletins` | community supervision 30 days |
/// | `records.sealing` | court 1 week |
///
/// A kind the contracts let publish to a topic but this table does not name gets
/// ``fallbackMinutes`` (a test keeps the table complete for the contracts in `Topics/`).
/// The README's "Feed liveness" section repeats the table.
public enum FeedCadences {
    static let hour = 60
    static let day = 24 * hour
    static let week = 7 * day

    /// The defaults, in minutes: topic → agency kind → cadence.
    public static let defaults: [String: [AgencyKind: Int]] = [
        "custody.releases": [.jail: hour, .sheriff: hour, .prison: day],
        "police.arrests": [.jail: hour, .police: 2 * hour, .sheriff: 2 * hour],
        "police.contacts": [.police: 2 * hour, .sheriff: 4 * hour],
        "police.incidents": [.police: day, .sheriff: day],
        "police.investigations": [.police: week, .sheriff: week, .fusionCenter: week],
        "courts.warrants": [.court: day, .communitySupervision: day, .police: day, .sheriff: day, .prosecutor: week],
        "supervision.cases": [.communitySupervision: day],
        "supervision.assessments": [.communitySupervision: week, .prison: week],
        "supervision.mental-health-bulletins": [.communitySupervision: 30 * day],
        "records.sealing": [.court: week],
    ]

    /// For a kind and topic the table does not name: one day.
    public static let fallbackMinutes = day

    /// The default cadence of `kind` on `topic`, in minutes (``fallbackMinutes`` when the table
    /// names neither, or the kind is unknown).
    public static func defaultMinutes(kind: AgencyKind?, topic: String) -> Int {
        guard let kind else { return fallbackMinutes }
        return defaults[topic]?[kind] ?? fallbackMinutes
    }

    /// The expected cadence in minutes: the directory entry's override for `topic` when it has
    /// one (the first listed, at least one minute), else the default for `kind`.
    public static func minutes(kind: AgencyKind?, topic: String, overrides: [FeedCadence]?) -> Int {
        if let override = overrides?.first(where: { $0.topic == topic }) { return max(1, override.everyMinutes) }
        return defaultMinutes(kind: kind, topic: topic)
    }

    /// A cadence for people: `90 min`, `2 h`, `1 day`, `1 week`, `30 days`.
    public static func describe(minutes: Int) -> String {
        if minutes % week == 0 { return minutes == week ? "1 week" : "\(minutes / week) weeks" }
        if minutes % day == 0 { return minutes == day ? "1 day" : "\(minutes / day) days" }
        if minutes % hour == 0 { return "\(minutes / hour) h" }
        return "\(minutes) min"
    }
}
