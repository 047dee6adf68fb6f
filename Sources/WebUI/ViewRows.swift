import Contracts
import Foundation
import Gateway

/// Dates of view rows as the signed-in user's agency reads them: instants in its time zone,
/// calendar dates (a case's start day) as they are.
struct ViewDates {
    let timeZone: TimeZone
    private let dayFormatter: DateFormatter
    private let dateTimeFormatter: DateFormatter
    private let timeFormatter: DateFormatter
    private let calendarDayFormatter: DateFormatter

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        func formatter(_ format: String, zone: TimeZone) -> DateFormatter {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = format
            return formatter
        }
        dayFormatter = formatter("EEE d MMM yyyy", zone: timeZone)
        dateTimeFormatter = formatter("EEE d MMM yyyy, HH:mm zzz", zone: timeZone)
        timeFormatter = formatter("HH:mm", zone: timeZone)
        calendarDayFormatter = formatter("yyyy-MM-dd", zone: TimeZone(identifier: "UTC") ?? .gmt)
    }

    func day(_ date: Date) -> String { dayFormatter.string(from: date) }
    func dateTime(_ date: Date) -> String { dateTimeFormatter.string(from: date) }
    func time(_ date: Date) -> String { timeFormatter.string(from: date) }

    /// A calendar date (`2025-01-02`) as `Thu 2 Jan 2025`; nil when it is not one.
    func calendarDay(_ text: String) -> String? {
        guard text.utf8.count == 10, let date = calendarDayFormatter.date(from: text) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = calendarDayFormatter.timeZone
        formatter.dateFormat = "EEE d MMM yyyy"
        return formatter.string(from: date)
    }
}

/// Reads one redacted view row for a page: a value at a dotted path, or "withheld" when the
/// policy took it out (never guessed), or "—" when the row has none.
struct RowReader {
    let row: VisibleViewRow

    static let withheldText = "withheld"
    static let noneText = "—"

    func value(_ path: String) -> JSONValue? {
        var value: JSONValue? = row.value
        for member in path.split(separator: ".") { value = value?[String(member)] }
        return value
    }

    func string(_ path: String) -> String? {
        if case .string(let text)? = value(path) { return text }
        return nil
    }

    func instant(_ path: String) -> Date? { string(path).flatMap(EventCodec.parseInstant) }

    func isWithheld(_ path: String) -> Bool {
        row.withheld.contains { path == $0.field || path.hasPrefix($0.field + ".") }
    }

    /// The text at `path`, made readable by `format`; else withheld or none.
    func text(_ path: String, _ format: (String) -> String? = { $0 }) -> String {
        if let text = string(path), let shown = format(text) { return shown }
        if case .number(let number)? = value(path) { return number.description }
        return isWithheld(path) ? Self.withheldText : Self.noneText
    }

    /// A person's name at `path` (`{given, family}`), family name last.
    func name(_ path: String) -> String {
        if let family = string(path + ".family") {
            return [string(path + ".given"), string(path + ".middle"), family].compactMap { $0 }.joined(separator: " ")
        }
        return isWithheld(path) || isWithheld(path + ".family") ? "Name withheld" : "Name not on record"
    }

    /// The identifier at `path` when it is one, for a button that posts it to the person page.
    func personIdentifier(_ path: String) -> String? {
        string(path).flatMap { Gateway.isPersonIdentifier($0) ? $0 : nil }
    }

    /// How a row names its person under the name (`State ID MO1234567`), and the identifier its
    /// person button posts: the state ID, or for a person known by the FBI number alone (a
    /// supervisee transferred from another state, version-2 events) `FBI 734591KA2`. A withheld
    /// state ID stays withheld: the FBI number is not shown in its place.
    func personNumber(under prefix: String = "") -> (text: String, identifier: String?) {
        let stateId = prefix + "stateId", fbiNumber = prefix + "fbiNumber"
        if string(stateId) == nil, !isWithheld(stateId), let fbi = string(fbiNumber) {
            return ("FBI \(fbi)", personIdentifier(fbiNumber))
        }
        return ("State ID \(text(stateId))", personIdentifier(stateId))
    }

    /// `very_high` → `Very high`.
    static func code(_ text: String) -> String {
        let words = text.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}

/// One supervisee of the caseload page.
struct CaseloadRow {
    static let flagOrder = [
        "arrest", "booking", "police_contact", "violent_incident_victim", "violent_incident_suspect", "active_warrant", "active_detainer",
        "scheduled_release",
    ]
    static let flagLabels: [String: String] = [
        "arrest": "Arrest", "booking": "Booking", "police_contact": "Police contact", "violent_incident_victim": "Violent incident (victim)",
        "violent_incident_suspect": "Violent incident (suspect)", "active_warrant": "Active warrant", "active_detainer": "Active detainer",
        "scheduled_release": "Scheduled release",
    ]
    static let riskRanks = ["low": 0, "moderate": 1, "high": 2, "very_high": 3]

    let caseId: String
    let sortName: String?
    let start: String?
    let end: String?
    let risk: Int?
    let latestFlag: Date?
    let flagKinds: Set<String>
    let values: [String: Any]

    init(_ row: VisibleViewRow, dates: ViewDates) {
        let reader = RowReader(row: row)
        caseId = row.key
        sortName = reader.string("name.family").map { [$0, reader.string("name.given") ?? ""].joined(separator: " ").lowercased() }
        start = reader.string("startDate")
        end = reader.string("expectedEndDate")
        let riskCode = reader.string("latestAssessment.riskLevel")
        risk = riskCode.flatMap { Self.riskRanks[$0] }
        let flags: [[String: Any]] = NotificationCard.array(reader.value("flags")).map { flag in
            let kind = NotificationCard.string(flag["kind"]) ?? ""
            let date = NotificationCard.string(flag["date"]).flatMap(EventCodec.parseInstant)
            return [
                "kind": kind, "label": Self.flagLabels[kind] ?? RowReader.code(kind), "date": date.map(dates.day) ?? "",
                "dateValue": date as Any, "record": NotificationCard.string(flag["sourceRecordId"]) ?? "",
                "detail": NotificationCard.string(flag["detail"]) ?? "",
            ]
        }
        flagKinds = Set(flags.compactMap { $0["kind"] as? String })
        latestFlag = flags.compactMap { $0["dateValue"] as? Date }.max()
        var values: [String: Any] = [
            "latestFlag": latestFlag.map(dates.day) ?? (reader.isWithheld("flags") ? RowReader.withheldText : RowReader.noneText),
            "caseId": caseId, "name": reader.name("name"), "personNumber": reader.personNumber().text,
            "supervision": reader.text("supervisionType", RowReader.code), "officer": reader.text("officer.name"),
            "start": reader.text("startDate", dates.calendarDay), "end": reader.text("expectedEndDate", dates.calendarDay),
            "risk": reader.text("latestAssessment.riskLevel", RowReader.code),
            "flags": flags.map { $0.filter { $0.key != "dateValue" } }, "hasFlags": !flags.isEmpty,
            "flagsWithheld": reader.isWithheld("flags"),
        ]
        if let identifier = reader.personNumber().identifier { values["personId"] = identifier }
        self.values = values
    }

    /// The value a column sorts by; nil (not on record, withheld) sorts last either way.
    func key(_ column: CaseloadColumn) -> String? {
        switch column {
        case .name: sortName
        case .caseId: caseId
        case .start: start
        case .end: end
        case .risk: risk.map(String.init)
        case .flag: latestFlag.map { String(format: "%016.3f", $0.timeIntervalSince1970) }
        }
    }

    static func ordered(_ a: CaseloadRow, _ b: CaseloadRow, by column: CaseloadColumn, descending: Bool) -> Bool {
        switch (a.key(column), b.key(column)) {
        case (let x?, let y?) where x != y: return descending ? x > y : x < y
        case (nil, _?): return false
        case (_?, nil): return true
        default: return a.caseId < b.caseId
        }
    }
}

/// One release of the releases page (a row of `police-releases`, `release-board` or
/// `high-needs`).
struct ReleaseRow {
    static let titles = [
        "police-releases": "Releases into your jurisdiction", "release-board": "Your facility's releases",
        "high-needs": "High-needs releases",
    ]
    static let emptyTexts = [
        "police-releases": "No release into your jurisdiction is expected in the next 60 days. Releases appear here when a facility schedules one to an address in your agency's places; check your agency's directory entry if you expected some.",
        "release-board": "No release from your facility is scheduled in the next 60 days. Releases appear here when your facility's system schedules one on the bus.",
        "high-needs": "No high-risk or high-needs release is expected in the next 60 days. Releases appear here when an assessment finds high risk or a high need.",
    ]

    let releaseId: String
    /// When the person is expected out (or left, on the board).
    let date: Date?
    let values: [String: Any]
    let calendarEntry: [String: Any]

    init(_ row: VisibleViewRow, view: String, dates: ViewDates) {
        let reader = RowReader(row: row)
        releaseId = row.key
        date = reader.instant("expectedAt") ?? reader.instant("releasedAt")
        let name = reader.name("person.name")
        let city = [reader.string("destination.city"), reader.string("destination.state")].compactMap { $0 }.joined(separator: ", ")
        var values: [String: Any] = [
            "releaseId": releaseId, "name": name, "personNumber": reader.personNumber(under: "person.").text,
            "date": date.map(dates.dateTime) ?? (reader.isWithheld("expectedAt") ? RowReader.withheldText : RowReader.noneText),
            "facility": reader.text("facility.name"),
            "destination": city.isEmpty ? (reader.isWithheld("destination") ? RowReader.withheldText : RowReader.noneText) : city,
            "releaseType": reader.text("releaseType", RowReader.code), "status": reader.text("status", RowReader.code),
            "warrantCheck": reader.text("warrantCheck", RowReader.code), "warrantCheckCode": reader.string("warrantCheck") ?? "unknown",
            "risk": reader.text("latestAssessment.riskLevel", RowReader.code),
        ]
        var entry: [String: Any] = ["releaseId": releaseId, "name": name, "time": date.map(dates.time) ?? ""]
        if let identifier = reader.personNumber(under: "person.").identifier {
            values["personId"] = identifier
            entry["personId"] = identifier
        }
        self.values = values
        calendarEntry = entry
    }
}

/// The releases of the next days as a table of weeks × days, Sunday first, in the agency's
/// time zone.
struct ReleaseCalendar {
    let first: Date
    let last: Date
    let weeks: [[String: Any]]
    let weekdayNames: [[String: Any]]
    /// Releases placed in a day of the calendar.
    let placed: Int

    init(from now: Date, days: Int, timeZone: TimeZone, releases: [ReleaseRow]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        calendar.firstWeekday = 1
        let today = calendar.startOfDay(for: now)
        first = today
        last = calendar.date(byAdding: .day, value: days, to: today) ?? today
        let label = DateFormatter()
        label.locale = Locale(identifier: "en_US_POSIX")
        label.timeZone = timeZone
        label.dateFormat = "d MMM"
        let iso = DateFormatter()
        iso.locale = Locale(identifier: "en_US_POSIX")
        iso.timeZone = timeZone
        iso.dateFormat = "yyyy-MM-dd"
        var byDay: [String: [ReleaseRow]] = [:]
        for release in releases {
            guard let date = release.date else { continue }
            byDay[iso.string(from: date), default: []].append(release)
        }
        let symbols = calendar.weekdaySymbols
        weekdayNames = (0..<7).map { ["name": symbols[$0], "short": String(symbols[$0].prefix(3))] }
        var weeks: [[String: Any]] = []
        var placed = 0
        var weekStart = calendar.dateInterval(of: .weekOfYear, for: today)?.start ?? today
        while weekStart <= last {
            var cells: [[String: Any]] = []
            for offset in 0..<7 {
                guard let day = calendar.date(byAdding: .day, value: offset, to: weekStart) else { continue }
                let inRange = day >= today && day <= last
                let key = iso.string(from: day)
                // A release past the last day but in its week is shown too (the view's window is whole UTC days).
                let entries = (byDay[key] ?? []).sorted { ($0.date ?? .distantPast, $0.releaseId) < ($1.date ?? .distantPast, $1.releaseId) }
                placed += entries.count
                cells.append([
                    "label": label.string(from: day), "iso": key, "inRange": inRange, "isToday": day == today,
                    "weekday": symbols[offset], "releases": entries.map(\.calendarEntry), "hasReleases": !entries.isEmpty,
                ])
            }
            weeks.append(["label": "Week of \(label.string(from: weekStart))", "days": cells])
            guard let next = calendar.date(byAdding: .day, value: 7, to: weekStart) else { break }
            weekStart = next
        }
        self.weeks = weeks
        self.placed = placed
    }
}

/// One open warrant check of the board.
struct WarrantCheckLine {
    let releaseId: String
    /// The first deadline not yet passed, else the last one (overdue).
    let nextDeadline: Date?
    let values: [String: Any]

    init(_ row: VisibleViewRow, now: Date, dates: ViewDates) {
        let reader = RowReader(row: row)
        releaseId = row.key
        let deadlines = NotificationCard.array(reader.value("deadlines")).compactMap { deadline -> (at: Date, daysBefore: Int, escalated: Bool)? in
            guard let at = NotificationCard.string(deadline["at"]).flatMap(EventCodec.parseInstant) else { return nil }
            var days = 0
            if case .number(let number)? = deadline["daysBefore"] { days = Int(number.doubleValue) }
            var escalated = false
            if case .bool(let flag)? = deadline["escalated"] { escalated = flag }
            return (at, days, escalated)
        }.sorted { $0.at < $1.at }
        let next = deadlines.first { $0.at >= now } ?? deadlines.last
        nextDeadline = next?.at
        let strings = { (path: String) -> [String] in NotificationCard.array(reader.value(path)).compactMap { NotificationCard.string($0) } }
        let told: [[String: Any]] = NotificationCard.array(reader.value("told")).map { told in
            ["recipient": NotificationCard.string(told["recipient"]) ?? "", "rule": NotificationCard.string(told["rule"]) ?? ""]
        }
        var values: [String: Any] = [
            "releaseId": releaseId, "status": reader.text("status", RowReader.code), "statusCode": reader.string("status") ?? "unknown",
            "stateId": reader.text("stateId"), "facility": reader.text("facilityName"),
            "releaseAt": reader.instant("releaseAt").map(dates.dateTime) ?? reader.text("releaseAt"),
            "warrants": strings("warrants").joined(separator: ", "), "detainers": strings("detainers").joined(separator: ", "),
            "told": told, "hasTold": !told.isEmpty, "toldWithheld": reader.isWithheld("told"),
        ]
        if let next {
            values["deadline"] = dates.dateTime(next.at)
            values["deadlineNote"] = "\(next.daysBefore) day\(next.daysBefore == 1 ? "" : "s") before release"
            values["overdue"] = next.at < now
            values["escalated"] = next.escalated
        } else {
            values["deadline"] = reader.isWithheld("deadlines") ? RowReader.withheldText : RowReader.noneText
        }
        if (values["warrants"] as? String)?.isEmpty != false { values["warrants"] = reader.isWithheld("warrants") ? RowReader.withheldText : "none" }
        if (values["detainers"] as? String)?.isEmpty != false { values["detainers"] = reader.isWithheld("detainers") ? RowReader.withheldText : "none" }
        if let identifier = reader.personIdentifier("stateId") { values["personId"] = identifier }
        self.values = values
    }
}

/// A view row of the person page as label and value pairs, whatever its view: nested members
/// joined with ›, items of a list numbered, instants in the agency's zone.
enum PersonFacts {
    static let viewTitles = [
        "caseload": "Caseload", "police-releases": "Releases into your jurisdiction", "police-warrants": "Active warrants",
        "police-supervisees": "Supervisees in your jurisdiction", "police-bulletins": "Mental-health bulletins",
        "release-board": "Release board", "warrant-checks": "Warrant checks", "high-needs": "High-needs releases",
        "court-warrants": "Your court's warrants", "court-blocked-releases": "Releases blocked by your court's warrants",
    ]

    static func facts(of value: JSONValue, dates: ViewDates) -> [[String: Any]] {
        var facts: [[String: Any]] = []
        walk(value, label: [], into: &facts, dates: dates)
        return facts
    }

    private static func walk(_ value: JSONValue, label: [String], into facts: inout [[String: Any]], dates: ViewDates) {
        switch value {
        case .null:
            return
        case .object(let members):
            for name in members.keys.sorted() {
                if let member = members[name] { walk(member, label: label + [words(name)], into: &facts, dates: dates) }
            }
        case .array(let items):
            let scalars = items.compactMap { scalar($0, dates: dates) }
            if scalars.count == items.count {
                if !scalars.isEmpty { facts.append(["label": label.joined(separator: " › "), "value": scalars.joined(separator: ", ")]) }
            } else {
                for (index, item) in items.enumerated() { walk(item, label: label + ["\(index + 1)"], into: &facts, dates: dates) }
            }
        default:
            if let text = scalar(value, dates: dates) { facts.append(["label": label.joined(separator: " › "), "value": text]) }
        }
    }

    private static func scalar(_ value: JSONValue, dates: ViewDates) -> String? {
        switch value {
        case .string(let text):
            if text.contains("T"), let instant = EventCodec.parseInstant(text) { return dates.dateTime(instant) }
            return dates.calendarDay(text) ?? text
        case .number(let number): return number.description
        case .bool(let flag): return flag ? "yes" : "no"
        default: return nil
        }
    }

    /// `expectedAt` → `Expected at`, `stateId` → `State ID`.
    static func words(_ name: String) -> String {
        var words: [String] = []
        var current = ""
        for character in name {
            if character.isUppercase, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        let lowered = words.map { $0 == "Id" ? "ID" : $0 == "fbi" ? "FBI" : $0.lowercased() }
        guard let first = lowered.first else { return name }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + lowered.dropFirst()).joined(separator: " ")
    }
}
