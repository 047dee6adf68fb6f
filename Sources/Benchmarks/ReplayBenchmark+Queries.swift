import Contracts
import Foundation
import ReadModels
import ServiceKit
import Storage

/// After a replay, the questions agencies ask of the views it rebuilt, each timed on the
/// database it left: a query's cost must follow its answer (one city's people, one officer's
/// caseload), not the size of the whole state. A query that reads a table of every agency
/// (an index missing, or one SQLite's planner passes over) shows here as a time that grows
/// with `--events` while its rows do not.
extension ReplayBenchmark {
    /// One question: its figure's name and how to ask it (returning the rows it answered).
    struct ViewQuestion: Sendable {
        var name: String
        var ask: @Sendable (any StorageTransaction) throws -> Int
    }

    /// The instant the questions are asked at: the generated stream's end.
    static var questionsAsOf: Date { ReplayEventMix.start.addingTimeInterval(ReplayEventMix.span) }

    /// Kansas City's police, an officer, a prison's release board, the high-needs list, a
    /// court's warrants and the releases they block, and a safety check in Kansas City.
    static var questions: [ViewQuestion] {
        let asOf = questionsAsOf
        let kansasCity = ReplayWorld.cities[0]
        let place = JurisdictionPlace(state: "MO", city: kansasCity.name)
        let court = ReplayWorld.courts[0], facility = ReplayWorld.prisons[0].facilityId
        let visit = Coordinates(latitude: kansasCity.latitude, longitude: kansasCity.longitude)
        return [
            ViewQuestion(name: "police_view") { transaction in
                let view = try PoliceViewStore().view(of: [place], for: kansasCity.policeId, asOf: asOf, in: transaction)
                return view.releases.count + view.warrants.count + view.supervisees.count + view.bulletins.count
            },
            ViewQuestion(name: "caseload_officer") { try CaseloadStore().caseload(officerId: "PP-1", asOf: asOf, in: $0).count },
            ViewQuestion(name: "release_board") { try ReleaseBoardStore().board(facilityId: facility, asOf: asOf, in: $0).count },
            ViewQuestion(name: "high_needs") { try HighNeedsStore().highNeeds(asOf: asOf, in: $0).count },
            ViewQuestion(name: "court_warrants") { try CourtStore().warrants(courtId: court, asOf: asOf, in: $0).count },
            ViewQuestion(name: "court_blocked_releases") { try CourtStore().blockedReleases(courtId: court, asOf: asOf, in: $0).count },
            ViewQuestion(name: "safety_check") { transaction in
                let result = try SafetyStore().check(
                    address: .text("1200 Troost Ave, Kansas City, MO 64105"), coordinates: visit, radiusMeters: 500, asOf: asOf,
                    in: transaction)
                return result.residents.count + result.incidents.count + result.investigations.count
            },
        ]
    }

    /// Asks each question `rounds` times on `database` (the first warms its pages) and prints
    /// `replay.<database>.query.<name>` (the median, ms) and `….rows`.
    func timeQuestions(on database: ServiceDatabase, as label: Database, rounds: Int = 5, _ printer: FigurePrinter) async throws {
        for question in Self.questions {
            try Task.checkCancellation()
            var seconds: [Double] = []
            var rows = 0
            for _ in 0..<max(1, rounds) {
                let began = ContinuousClock.now
                rows = try await database.read { try question.ask($0) }
                seconds.append((ContinuousClock.now - began).seconds)
            }
            let name = "replay.\(label.rawValue).query.\(question.name)"
            printer.figure(name, seconds.sorted()[seconds.count / 2] * 1_000, "ms")
            printer.figure("\(name).rows", Double(rows), "rows")
        }
    }
}
