import Audit
import Contracts
import Feeds
import Foundation
import Gateway
import HTTPTypes
import Hummingbird

/// The pages beside the inbox: its live stream and the card fragment the stream's script
/// inserts, the officer-safety check, the feeds' coverage map and the audit search. Each goes
/// through the gateway's own function for it (the same policy, redaction and audit entry as
/// the API), and answers with a page whatever happens.
extension PageHandlers {
    static let lastEventId = HTTPField.Name("Last-Event-ID")!

    // MARK: - Live inbox

    /// `GET /ui/stream`: the signed-in caller's notifications as Server-Sent Events, after the
    /// position the inbox page gave (`after`), or after the last event received when the
    /// browser reconnects (`Last-Event-ID`). The gateway's live stream itself (`liveStream`):
    /// every push is recorded in the audit ledger (channel `stream`) before it is written. No
    /// valid session: 401 and no stream (an event source does not follow redirects).
    func stream(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return Self.bare(.unauthorized) }
        let text = request.headers[Self.lastEventId].flatMap { $0.isEmpty ? nil : $0 } ?? request.uri.queryParameters["after"].map(String.init)
        var start: ArrivalCursor?
        if let text, !text.isEmpty {
            guard let parsed = ArrivalCursor(token: text) else { return Self.bare(.badRequest) }
            start = parsed
        }
        do {
            return try await gateway.liveStream(for: caller, after: start, requestId: context.id)
        } catch {
            return Self.bare(error.status)
        }
    }

    /// `GET /ui/notifications/{id}/card`: one notification's card, alone (the inbox's script
    /// inserts it when the stream brings the notification), rendered by the inbox's own
    /// template, so every field is escaped as on the page. Someone else's, or none: 404; no
    /// valid session: 401. Read like the notification's page (recorded as an API disclosure).
    func card(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return Self.bare(.unauthorized) }
        let visible: VisibleNotification
        do {
            visible = try await gateway.notification(id: context.parameters.get("id") ?? "", for: caller, requestId: context.id)
        } catch {
            return Self.bare(error.status == .notFound ? .notFound : error.status)
        }
        let csrf = session.csrfToken(for: request, signedIn: true)
        var values = NotificationCard(visible: visible, dates: PageDates(timeZone: configuration.timeZone(forAgency: caller.agencyId)))
            .values(acknowledged: false)
        values["csrf"] = csrf.token
        guard let html = templates.library.render(values, withTemplate: "card") else {
            logger.error("Page template missing", metadata: ["template": "card"])
            return Self.bare(.internalServerError)
        }
        return PageResponse.html(.ok, html, cookies: [csrf.cookie].compactMap { $0 })
    }

    /// A response with no body: what the stream and the fragment answer when they cannot.
    static func bare(_ status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.cacheControl: "no-store", .contentLength: "0"])
    }

    // MARK: - Officer-safety check

    struct SafetyCheckForm: SessionForm {
        var csrf: String?
        var address: String?
        var radius: String?
    }

    /// `GET /ui/safety-check`: the form alone. An address never travels in a URL (browser
    /// history, proxy and server logs keep URLs): the form is posted, and a query string here
    /// is ignored.
    func safetyCheckForm(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = PageDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        return toolPage(request, caller: caller, status: .ok, "safety-check", Self.safetyCheckValues(address: "", radius: ""), title: "Safety check", dates: dates)
    }

    static func safetyCheckValues(address: String, radius: String) -> [String: Any] {
        [
            "address": String(address.prefix(Gateway.maxSafetyCheckAddressLength + 50)), "radius": radius.isEmpty ? "500" : String(radius.prefix(12)),
            "maxAddress": Gateway.maxSafetyCheckAddressLength, "maxRadius": SafetyCheckPage.maxRadius,
        ]
    }

    /// `POST /ui/safety-check` (`csrf`, `address`, `radius` in metres, default 500): the answer,
    /// rendered in the response to the POST (no redirect that would put the address in a URL).
    /// A form without this session's CSRF token changes nothing and reads nothing. Input that is
    /// missing, too long or not an address is said beside its field and nothing is read; the
    /// check itself is the gateway's (`safetyCheck`: the views policy, a refusal recorded, the
    /// answer redacted and recorded).
    func safetyCheck(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = PageDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        let form: SafetyCheckForm
        do {
            form = try await postedForm(SafetyCheckForm.self, of: request, caller: caller, failed: "Not checked", expired: "The form had expired. Reload the page and check again.")
        } catch {
            return error.page
        }
        let address = form.address ?? ""
        let radiusText = form.radius?.trimmingCharacters(in: .whitespaces) ?? ""
        var values = Self.safetyCheckValues(address: address, radius: radiusText)
        var radius = 500
        if !radiusText.isEmpty {
            guard radiusText.count <= 6, let parsed = Int(radiusText) else {
                values["radiusError"] = "Enter the radius as a whole number of metres, from 1 to \(SafetyCheckPage.maxRadius)."
                return toolPage(request, caller: caller, status: .badRequest, "safety-check", values, title: "Safety check", dates: dates)
            }
            radius = parsed
        }
        do {
            try Gateway.checkSafetyQuestion(address: address, radiusMeters: radius)
        } catch {
            values[error.field == "radius" ? "radiusError" : "addressError"] = error.reason
            return toolPage(request, caller: caller, status: .badRequest, "safety-check", values, title: "Safety check", dates: dates)
        }
        let answer: VisibleViewRow?
        do {
            answer = try await gateway.safetyCheck(address: address, radiusMeters: radius, for: caller, requestId: context.id)
        } catch {
            return toolProblemPage(error, request: request, caller: caller)
        }
        values["answered"] = true
        values.merge(SafetyCheckPage.values(answer, dates: dates)) { _, new in new }
        return toolPage(request, caller: caller, status: .ok, "safety-check", values, title: "Safety check", dates: dates)
    }

    // MARK: - Feeds

    /// `GET /ui/feeds`: the coverage map (agencies × topics, last event, status), for the roles
    /// `Gateway.feedsReaders` names; others see a refusal.
    func feeds(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = PageDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        let coverage: FeedCoverage
        do {
            coverage = try await gateway.feedsCoverage(for: caller)
        } catch {
            return toolProblemPage(error, request: request, caller: caller)
        }
        let rows: [[String: Any]] = coverage.rows.map { row in
            var values: [String: Any] = [
                "agencyId": row.agencyId, "agencyName": row.agencyName ?? "", "hasName": row.agencyName != nil, "kind": row.agencyKind ?? "—",
                "topic": row.topic, "events": row.events, "cadence": FeedCadences.describe(minutes: row.cadenceMinutes),
                "status": row.status, "statusText": Self.statusText(row, dates: dates), "alarm": row.alarmOpen,
                "age": row.lastEventAgeMinutes.map(Self.age) ?? "—",
            ]
            if let last = row.lastEventAt, let date = EventCodec.parseInstant(last) {
                values["lastEvent"] = dates.text(date)
                values["lastEventISO"] = last
            }
            return values
        }
        var values: [String: Any] = ["rows": rows, "empty": rows.isEmpty]
        if let tick = coverage.latestTickMilliseconds {
            values["latestTick"] = dates.text(Date(timeIntervalSince1970: Double(tick) / 1_000))
        }
        let problems = coverage.rows.filter { $0.status == "silent" || $0.status == "never-published" }.count
        if problems > 0 { values["problems"] = problems }
        return toolPage(request, caller: caller, status: .ok, "feeds", values, title: "Feeds", dates: dates)
    }

    /// The status in words, its instants in the agency's zone.
    static func statusText(_ row: FeedCoverage.Row, dates: PageDates) -> String {
        let since = row.silentSince.flatMap(EventCodec.parseInstant).map(dates.text) ?? row.silentSince ?? "?"
        switch row.status {
        case "ok": return "OK"
        case "silent": return "Silent since \(since)"
        case "never-published": return "Never published (expected since \(since))"
        case "not-expected": return row.directory == "retired" ? "Not expected (retired)" : "Not expected"
        case "no-tick-yet": return "No tick yet"
        default: return row.status
        }
    }

    /// `45 min`, `3 h 05 min`, `2 d 4 h` (as `reentrybus feeds`).
    static func age(_ minutes: Int64) -> String {
        if minutes < 60 { return "\(minutes) min" }
        if minutes < 24 * 60 { return "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min" }
        return "\(minutes / (24 * 60)) d \((minutes % (24 * 60)) / 60) h"
    }

    // MARK: - Audit search

    struct AuditForm: SessionForm {
        var csrf: String?
        var person: String?
    }

    /// `GET /ui/audit`: for auditors, the state ID form (a query string is ignored: a state ID
    /// never travels in a URL). Anyone else: a refusal page, and the refusal recorded.
    func auditForm(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        return await audit(request, context: context, caller: caller, person: nil)
    }

    /// `POST /ui/audit` (`csrf`, `person`): who saw that person's data (the gateway's
    /// `auditSearch`: the search itself recorded), rendered in the response to the POST. A form
    /// without this session's CSRF token reads and records nothing.
    func auditSearch(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let form: AuditForm
        do {
            form = try await postedForm(AuditForm.self, of: request, caller: caller, failed: "Not searched", expired: "The form had expired. Reload the page and search again.")
        } catch {
            return error.page
        }
        return await audit(request, context: context, caller: caller, person: (form.person ?? "").trimmingCharacters(in: .whitespaces))
    }

    /// The audit page: the form alone when `person` is nil, else the search. Anyone but an
    /// auditor: a refusal page, and the refusal recorded in the ledger (naming `person`).
    func audit(_ request: Request, context: some RequestContext, caller: Caller, person: String?) async -> Response {
        let dates = PageDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        guard caller.has(.auditor) else {
            do {
                try await gateway.refuseAuditSearch(for: caller, stateId: person, requestId: context.id)
            } catch {
                return toolProblemPage(error, request: request, caller: caller)
            }
            return toolProblemPage(Problem.forbidden("Only auditors may search the audit ledger."), request: request, caller: caller)
        }
        var values: [String: Any] = ["person": String((person ?? "").prefix(60))]
        guard let person, !person.isEmpty else {
            if person != nil { values["personError"] = "Enter a state ID, e.g. MO1234567." }
            return toolPage(request, caller: caller, status: person == nil ? .ok : .badRequest, "audit", values, title: "Audit search", dates: dates)
        }
        guard person.range(of: "^[A-Za-z0-9-]{1,40}$", options: .regularExpression) != nil else {
            values["personError"] = person.count > 40
                ? "That is too long for a state ID (at most 40 characters)." : "A state ID has only letters, digits and dashes, e.g. MO1234567."
            return toolPage(request, caller: caller, status: .badRequest, "audit", values, title: "Audit search", dates: dates)
        }
        let entries: [AuditEntry]
        do {
            entries = try await gateway.auditSearch(stateId: person, for: caller, requestId: context.id)
        } catch {
            return toolProblemPage(error, request: request, caller: caller)
        }
        values["searched"] = true
        values["empty"] = entries.isEmpty
        values["countText"] = entries.count == 1 ? "1 entry" : "\(entries.count) entries"
        values["entries"] = entries.reversed().map { AuditEntryRow.values($0, dates: dates) }
        return toolPage(request, caller: caller, status: .ok, "audit", values, title: "Audit search", dates: dates)
    }

    // MARK: - Rendering

    /// A tool page with its CSRF token (its own form and the layout's sign-out form need it).
    func toolPage(
        _ request: Request, caller: Caller, status: HTTPResponse.Status, _ template: String, _ values: [String: Any], title: String, dates: PageDates
    ) -> Response {
        let csrf = session.csrfToken(for: request, signedIn: true)
        var values = values
        values["csrf"] = csrf.token
        return page(status, template, values, title: title, caller: caller, csrf: csrf.token, cookies: [csrf.cookie].compactMap { $0 }, dates: dates)
    }

    /// `problemPage`, and a refusal (403) says so in words.
    func toolProblemPage(_ error: Problem, request: Request, caller: Caller) -> Response {
        guard error.status == .forbidden else { return problemPage(error, request: request, caller: caller) }
        return message(request, caller: caller, status: .forbidden, title: "Not allowed",
                       text: (error.detail ?? "Your roles do not allow this page.") + " The attempt was recorded where the audit ledger records refusals.")
    }

    /// The layout's links to the tool pages, only for the roles that may open them, and which
    /// one is current.
    func toolNavigation(for caller: Caller, template: String) -> [String: Any] {
        let requester = gateway.disclosure.requester(for: caller, directoryKind: nil)
        var safetyCheck = false
        if let views = gateway.views {
            // A token without its agency's kind: the link shows, the gateway decides on use.
            if case .success = views.policy.access(to: "safety-check", for: requester) { safetyCheck = true }
            if caller.agencyKind == nil { safetyCheck = true }
        }
        return [
            "navSafetyCheck": safetyCheck, "navFeeds": Gateway.mayReadFeeds(caller), "navAudit": caller.has(.auditor),
            "safetyCheckCurrent": template == "safety-check", "feedsCurrent": template == "feeds", "auditCurrent": template == "audit",
        ]
    }
}

/// The safety check's answer as the template shows it, from the redacted row only: a withheld
/// part is said to be withheld, never guessed.
enum SafetyCheckPage {
    static let maxRadius = 50_000

    static func values(_ answer: VisibleViewRow?, dates: PageDates) -> [String: Any] {
        guard let answer else { return ["noAnswer": true] }
        let row = answer.value
        var values: [String: Any] = [:]
        values["checkedAddress"] = string(row["address"]) ?? "(address withheld)"
        if let asOf = string(row["asOf"]).flatMap(EventCodec.parseInstant) { values["asOf"] = dates.text(asOf) }
        values["radiusMeters"] = number(row["radiusMeters"]).map { String(Int($0)) } ?? "—"
        values["windowDays"] = number(row["incidentWindowDays"]).map { String(Int($0)) } ?? "30"
        values["noCoordinates"] = string(row["coordinatesFrom"]) == "unknown"
        let residents = array(row["residents"]).map(resident)
        values["residentsWithheld"] = row["residents"] == nil
        values["residents"] = residents
        values["noResidents"] = row["residents"] != nil && residents.isEmpty
        let investigations: [[String: Any]] = array(row["investigations"]).map { item in
            var values: [String: Any] = [
                "id": string(item["investigationId"]) ?? "—", "lead": string(item["leadAgencyId"]) ?? "an agency not known here",
            ]
            if let reasons = reasons(item) { values["reasons"] = reasons }
            if let summary = string(item["summary"]) { values["summary"] = summary }
            if item["detailsWithheld"] == .bool(true) { values["detailsWithheld"] = true }
            if let contact = item["contact"] {
                let text = [string(contact["name"]), string(contact["phone"]), string(contact["email"])].compactMap { $0 }.joined(separator: ", ")
                if !text.isEmpty { values["contact"] = text }
            }
            return values
        }
        values["investigationsWithheld"] = row["investigations"] == nil
        values["investigations"] = investigations
        values["noInvestigations"] = row["investigations"] != nil && investigations.isEmpty
        let incidents: [[String: Any]] = array(row["incidents"]).map { item in
            var values: [String: Any] = ["kind": (string(item["incidentKind"]) ?? "incident").replacingOccurrences(of: "_", with: " ")]
            if let reasons = reasons(item) { values["reasons"] = reasons }
            if let at = string(item["incidentAt"]).flatMap(EventCodec.parseInstant) { values["at"] = dates.text(at) }
            if let report = string(item["reportNumber"]) { values["report"] = report }
            if let distance = number(item["distanceMeters"]) { values["distance"] = "\(Int(distance.rounded())) m away" }
            return values
        }
        values["incidentsWithheld"] = row["incidents"] == nil
        values["incidents"] = incidents
        values["noIncidents"] = row["incidents"] != nil && incidents.isEmpty
        if let line = NotificationCard.withheldLine(answer.withheld) { values["withheldLine"] = line }
        values["notices"] = answer.notices.map { ["text": $0.text] as [String: Any] }
        return values
    }

    static func resident(_ item: JSONValue) -> [String: Any] {
        let name = item["name"].map { name in
            [string(name["given"]), string(name["middle"]), string(name["family"]), string(name["suffix"])].compactMap { $0 }.joined(separator: " ")
        }
        var values: [String: Any] = ["name": name.flatMap { $0.isEmpty ? nil : $0 } ?? "(name withheld)"]
        let kind = string(item["kind"])
        values["kind"] = kind == "household_member" ? "household member" + (string(item["relationship"]).map { " (\($0))" } ?? "") : "supervisee"
        if let stateId = string(item["stateId"]) { values["stateId"] = stateId }
        if let fbiNumber = string(item["fbiNumber"]) { values["fbiNumber"] = fbiNumber }
        if let caseId = string(item["caseId"]) { values["caseId"] = caseId }
        return values
    }

    /// Why an investigation or incident is listed, in words; nil when the row says nothing.
    static func reasons(_ item: JSONValue) -> String? {
        let text = array(item["reasons"]).compactMap(string).map(reasonText).joined(separator: "; ")
        return text.isEmpty ? nil : text
    }

    static func reasonText(_ code: String) -> String {
        switch code {
        case "within_area": "its area contains the address"
        case "within_radius": "within the radius"
        case "at_address": "recorded at this address"
        case "names_resident": "names someone registered here"
        default: code
        }
    }

    static func string(_ value: JSONValue?) -> String? { NotificationCard.string(value) }
    static func array(_ value: JSONValue?) -> [JSONValue] { NotificationCard.array(value) }
    static func number(_ value: JSONValue?) -> Double? {
        if case .number(let number)? = value { return Double(number.description) }
        return nil
    }
}

/// One audit entry as the audit page lists it: when, who, which channel, what, and whether it
/// was disclosed or refused.
enum AuditEntryRow {
    static func values(_ entry: AuditEntry, dates: PageDates) -> [String: Any] {
        let classes = Set(entry.disclosed.flatMap(\.classifications)).map(\.rawValue).sorted()
        var values: [String: Any] = [
            "sequence": entry.sequence, "at": dates.text(entry.at), "atISO": EventCodec.formatInstant(entry.at),
            "subject": entry.requester.subject, "agency": entry.requester.agencyId ?? "—",
            "roles": entry.requester.roles.map(\.rawValue).joined(separator: ", "), "purpose": entry.purpose.rawValue,
            "channel": entry.channel.rawValue, "resource": entry.resource,
        ]
        if entry.isDenial {
            values["denied"] = true
            values["outcome"] = "Denied" + (entry.denialReason.map { " (\($0.rawValue.replacingOccurrences(of: "_", with: " ")))" } ?? "")
        } else {
            values["outcome"] = "Disclosed: \(entry.disclosed.count) field\(entry.disclosed.count == 1 ? "" : "s")"
                + (classes.isEmpty ? "" : " (\(classes.joined(separator: ", ")))")
                + (entry.withheld.isEmpty ? "" : ", \(entry.withheld.count) withheld")
        }
        return values
    }
}
