import Contracts
import Feeds
import Foundation
import Testing

/// Feed liveness as plain functions: the expected cadence of a feed, when it counts as silent,
/// and which feeds are expected at all.
@Suite struct FeedLivenessTests {
    typealias E = FeedEvents

    @Test func defaultsFollowTheAgencyKind() {
        #expect(FeedCadences.minutes(kind: .jail, topic: "custody.releases", overrides: nil) == 60)
        #expect(FeedCadences.minutes(kind: .jail, topic: "police.arrests", overrides: nil) == 60)
        #expect(FeedCadences.minutes(kind: .police, topic: "police.arrests", overrides: nil) == 120)
        #expect(FeedCadences.minutes(kind: .police, topic: "police.contacts", overrides: nil) == 120)
        #expect(FeedCadences.minutes(kind: .communitySupervision, topic: "supervision.cases", overrides: nil) == 1_440)
        #expect(FeedCadences.minutes(kind: .court, topic: "courts.warrants", overrides: nil) == 1_440)
        #expect(FeedCadences.minutes(kind: .communitySupervision, topic: "supervision.assessments", overrides: nil) == 10_080)
        // Neither the table nor an unknown kind: the fallback, a day.
        #expect(FeedCadences.minutes(kind: .reentryServices, topic: "police.arrests", overrides: nil) == FeedCadences.fallbackMinutes)
        #expect(FeedCadences.minutes(kind: nil, topic: "police.arrests", overrides: nil) == FeedCadences.fallbackMinutes)
    }

    @Test func theDirectoryEntryOverridesItsTopicOnly() {
        let overrides = [FeedCadence(topic: "custody.releases", everyMinutes: 1_440)]
        #expect(FeedCadences.minutes(kind: .jail, topic: "custody.releases", overrides: overrides) == 1_440)
        #expect(FeedCadences.minutes(kind: .jail, topic: "police.arrests", overrides: overrides) == 60)
    }

    /// Every kind a contract lists among a topic's producers has its own default: a contract
    /// that gains a producer, or a new topic, needs a line in the table (and the README's).
    @Test func theTableCoversEveryProducerOfTheContracts() {
        let topics = FeedTopics(catalog: catalog)
        #expect(topics.names.contains("police.arrests") && topics.names.contains("records.sealing"))
        #expect(!topics.names.contains("reference.agencies") && !topics.names.contains { $0.hasPrefix("bus.") })
        var missing: [String] = []
        for (topic, kinds) in topics.producers {
            for kind in kinds where FeedCadences.defaults[topic]?[kind] == nil { missing.append("\(topic) × \(kind.rawValue)") }
        }
        #expect(missing.isEmpty, "no default cadence for \(missing.sorted())")
        // And the table names no topic the contracts do not have.
        #expect(Set(FeedCadences.defaults.keys).subtracting(topics.names).isEmpty)
    }

    @Test func silentOnlyAfterTwiceTheCadence() {
        let quiet = E.noon
        let twoHours = 2 * E.hour
        #expect(!FeedLiveness.isSilent(quietSinceMilliseconds: quiet, cadenceMinutes: 60, at: quiet + twoHours - E.minute))
        #expect(!FeedLiveness.isSilent(quietSinceMilliseconds: quiet, cadenceMinutes: 60, at: quiet + twoHours))
        #expect(FeedLiveness.isSilent(quietSinceMilliseconds: quiet, cadenceMinutes: 60, at: quiet + twoHours + 1))
        #expect(FeedLiveness.isSilent(quietSinceMilliseconds: quiet, cadenceMinutes: 60, at: quiet + twoHours + E.minute))
    }

    func jail(cadences: [FeedCadence]? = nil) -> DirectoryAgency {
        DirectoryAgency(entry: E.agency("MO-JCDC", .jail, cadences: cadences), joinedMilliseconds: E.noon)
    }

    func record(_ agency: String, _ topic: String, kind: String? = nil, last: Int64?, alarm: Int64? = nil) -> FeedRecord {
        FeedRecord(
            key: FeedKey(agencyId: agency, topic: topic), agencyKind: kind, events: last == nil ? 0 : 3,
            firstEventMilliseconds: last, lastEventMilliseconds: last, alarmSinceMilliseconds: alarm)
    }

    @Test func aDirectoryAgencyIsExpectedOnEveryTopicItsKindProduces() {
        let topics = FeedTopics(catalog: catalog)
        let feeds = FeedLiveness.assess(topics: topics, agencies: ["MO-JCDC": jail()], retired: [], records: [], at: E.noon + E.hour)
        #expect(feeds.map(\.key.topic) == ["custody.releases", "police.arrests"])
        #expect(feeds.allSatisfy { $0.status == .neverPublished(sinceMilliseconds: E.noon, overdue: false) })
        // Twice the hour after it joined, one minute more: overdue, to alarm from the join.
        let later = FeedLiveness.assess(topics: topics, agencies: ["MO-JCDC": jail()], retired: [], records: [], at: E.noon + 2 * E.hour + E.minute)
        #expect(later.map(\.silenceToAlarm) == [E.noon, E.noon])
    }

    @Test func aFeedIsSilentFromItsLastEventWithTheOverriddenCadence() {
        let topics = FeedTopics(catalog: catalog)
        let agencies = ["MO-JCDC": jail(cadences: [FeedCadence(topic: "custody.releases", everyMinutes: 30)])]
        let last = E.noon + E.hour
        let records = [record("MO-JCDC", "custody.releases", last: last), record("MO-JCDC", "police.arrests", last: last)]
        let feeds = FeedLiveness.assess(topics: topics, agencies: agencies, retired: [], records: records, at: last + 61 * E.minute)
        #expect(feeds.map(\.status) == [.silent(sinceMilliseconds: last), .ok])
        #expect(feeds.map(\.cadenceMinutes) == [30, 60])
        #expect(feeds.map(\.silenceToAlarm) == [last, nil])
        // Once alarmed for that silence, not again.
        let alarmed = [record("MO-JCDC", "custody.releases", last: last, alarm: last)]
        let again = FeedLiveness.assess(topics: topics, agencies: agencies, retired: [], records: alarmed, at: last + 5 * E.hour)
        #expect(again.first?.silenceToAlarm == nil)
    }

    @Test func feedsOutsideTheDirectoryAreJudgedByTheKindTheirEventsName() {
        let topics = FeedTopics(catalog: catalog)
        let records = [
            record("MO-IPD", "police.arrests", kind: "police", last: E.noon),  // not in the directory, a producer: expected
            record("MO-DOC-PP", "police.arrests", kind: "community_supervision", last: E.noon),  // a kind the contract does not list
            record("MO-OLDPD", "police.arrests", kind: "police", last: E.noon),  // retired
        ]
        let feeds = FeedLiveness.assess(topics: topics, agencies: [:], retired: ["MO-OLDPD"], records: records, at: E.noon + 5 * E.hour)
        #expect(feeds.map(\.key.agencyId) == ["MO-DOC-PP", "MO-IPD", "MO-OLDPD"])
        #expect(feeds.map(\.status) == [.notExpected, .silent(sinceMilliseconds: E.noon), .notExpected])
        #expect(feeds.map(\.directoryStatus) == [nil, nil, "retired"])
    }

    @Test func withoutATickNothingIsJudged() {
        let feeds = FeedLiveness.assess(topics: FeedTopics(catalog: catalog), agencies: ["MO-JCDC": jail()], retired: [], records: [], at: nil)
        #expect(feeds.allSatisfy { $0.status == .noTickYet && $0.silenceToAlarm == nil })
    }

    @Test func anEventEndsAnAlarmedSilence() {
        let alarmed = record("MO-JCDC", "custody.releases", last: E.noon, alarm: E.noon)
        #expect(FeedLiveness.endsSilence(alarmed, eventMilliseconds: E.noon + 1))
        // An older event read late says nothing new about the silence.
        #expect(!FeedLiveness.endsSilence(alarmed, eventMilliseconds: E.noon - E.hour))
        #expect(!FeedLiveness.endsSilence(record("MO-JCDC", "custody.releases", last: E.noon), eventMilliseconds: E.noon + E.hour))
        #expect(!FeedLiveness.endsSilence(nil, eventMilliseconds: E.noon))
        // A feed alarmed before its first event: any event ends it.
        #expect(FeedLiveness.endsSilence(record("MO-JCDC", "custody.releases", last: nil, alarm: E.noon), eventMilliseconds: E.noon - E.hour))
    }

    @Test func cadencesReadForPeople() {
        #expect(FeedCadences.describe(minutes: 90) == "90 min")
        #expect(FeedCadences.describe(minutes: 120) == "2 h")
        #expect(FeedCadences.describe(minutes: 1_440) == "1 day")
        #expect(FeedCadences.describe(minutes: 10_080) == "1 week")
        #expect(FeedCadences.describe(minutes: 43_200) == "30 days")
    }
}
