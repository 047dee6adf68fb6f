import Contracts
import Foundation
import Gateway
import Hummingbird
import Policy

/// The view pages: the read-model views a person opens every morning, read through the
/// gateway's `viewPage` / `personPage` (the views policy, the caller's own agency's rows, the
/// redaction and the audit entry of `GET /v1/views/…`). A view the caller's role may not read
/// is a plain "not available for your role" page (the gateway recorded the refusal); a person
/// who is not there, or not there for this caller, is the same plain not-found.
extension PageHandlers {
    /// The views the releases page shows, each where the caller's rules allow it: the police's
    /// releases into their jurisdiction, a facility's board, reentry services' high-needs list.
    static let releaseViews = ["police-releases", "release-board", "high-needs"]
    /// How far ahead the releases page looks.
    static let releaseDays = 60

    // MARK: - Caseload

    /// `GET /ui/caseload?sort=&order=&flag=`: the caller's supervisees (a supervisor: the
    /// agency's), sorted by a column on the server, filtered by a flag.
    func caseload(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = ViewDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        let query = request.uri.queryParameters
        let sort = query["sort"].map(String.init).flatMap { CaseloadColumn(rawValue: $0) } ?? .flag
        let descending = query["order"].map(String.init) == "desc" || (query["order"] == nil && sort == .flag)
        let flagText = query["flag"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let flag = flagText.flatMap { CaseloadRow.flagLabels[$0] != nil ? $0 : nil }
        let read: ViewRows
        do {
            read = try await allRows(of: "caseload", for: caller, parameters: [:], requestId: context.id)
        } catch {
            return viewProblemPage(error, request: request, caller: caller)
        }
        let all = read.rows.map { CaseloadRow($0, dates: dates) }
        var shown = flag.map { kind in all.filter { $0.flagKinds.contains(kind) } } ?? all
        shown.sort { CaseloadRow.ordered($0, $1, by: sort, descending: descending) }
        var values: [String: Any] = [
            "rows": shown.map(\.values), "hasRows": !shown.isEmpty, "emptyCaseload": all.isEmpty,
            "emptyFilter": !all.isEmpty && shown.isEmpty,
            "countText": shown.count == 1 ? "1 supervisee" : "\(shown.count) supervisees",
            "columns": CaseloadColumn.allCases.map { column -> [String: Any] in
                let current = column == sort
                // A link sorts by the column; on the current column it reverses the order.
                let nextOrder = current ? (descending ? "asc" : "desc") : (column == .flag ? "desc" : "asc")
                var link = "/ui/caseload?sort=\(column.rawValue)&order=\(nextOrder)"
                if let flag { link += "&flag=\(flag)" }
                return [
                    "label": column.label, "href": link, "current": current,
                    "ariaSort": current ? (descending ? "descending" : "ascending") : "none",
                    "arrow": current ? (descending ? "▼" : "▲") : "",
                ]
            },
            "flags": CaseloadRow.flagOrder.map { ["value": $0, "label": CaseloadRow.flagLabels[$0] ?? $0, "selected": $0 == flag] as [String: Any] },
            "sort": sort.rawValue, "order": descending ? "desc" : "asc",
        ]
        if let flag { values["flagLabel"] = CaseloadRow.flagLabels[flag] ?? flag }
        if flagText != nil, flag == nil { values["flagError"] = "There is no such flag. Choose one from the list." }
        if let line = Self.withheldSummary(read.rows) { values["withheldLine"] = line }
        if read.truncated { values["truncated"] = Self.truncatedText(configuration.maxViewRows) }
        return viewPage("caseload", values, title: "Caseload", request: request, caller: caller, dates: dates)
    }

    // MARK: - Releases

    /// `GET /ui/releases`: the next 60 days of releases in every release view the caller may
    /// read, as a list and as a calendar by week in the agency's time zone.
    func releases(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = ViewDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        let offered = gateway.viewsOffered(to: caller)
        // None offered: ask for the police's anyway, so that the refusal is recorded.
        let names = Self.releaseViews.filter(offered.contains)
        var sections: [(view: String, rows: [ReleaseRow], read: ViewRows)] = []
        var refusal: Problem?
        for name in names.isEmpty ? [Self.releaseViews[0]] : names {
            do {
                let read = try await allRows(of: name, for: caller, parameters: ["within": String(Self.releaseDays)], requestId: context.id)
                sections.append((name, read.rows.map { ReleaseRow($0, view: name, dates: dates) }, read))
            } catch {
                guard error.status == .forbidden else { return viewProblemPage(error, request: request, caller: caller) }
                refusal = error
            }
        }
        if sections.isEmpty, let refusal { return viewProblemPage(refusal, request: request, caller: caller) }
        let now = gateway.currentDate()
        let all = sections.flatMap { $0.rows }
        let calendar = ReleaseCalendar(from: now, days: Self.releaseDays, timeZone: dates.timeZone, releases: all)
        var values: [String: Any] = [
            "sections": sections.map { section -> [String: Any] in
                let rows = section.rows.sorted { ($0.date ?? .distantFuture, $0.releaseId) < ($1.date ?? .distantFuture, $1.releaseId) }
                var values: [String: Any] = [
                    "view": section.view, "title": ReleaseRow.titles[section.view] ?? section.view,
                    "rows": rows.map(\.values), "hasRows": !rows.isEmpty,
                    "hasWarrantCheck": section.view == "release-board", "hasRisk": section.view != "release-board",
                    "emptyText": ReleaseRow.emptyTexts[section.view] ?? "No releases in the next \(Self.releaseDays) days.",
                    "countText": rows.count == 1 ? "1 release" : "\(rows.count) releases",
                ]
                if section.read.truncated { values["truncated"] = Self.truncatedText(configuration.maxViewRows) }
                return values
            },
            "weeks": calendar.weeks, "weekdays": calendar.weekdayNames, "days": Self.releaseDays,
            "rangeText": "\(dates.day(calendar.first)) to \(dates.day(calendar.last))",
            "hasCalendarReleases": calendar.placed > 0,
        ]
        if let line = Self.withheldSummary(sections.flatMap { $0.read.rows }) { values["withheldLine"] = line }
        return viewPage("releases", values, title: "Releases", request: request, caller: caller, dates: dates)
    }

    // MARK: - Warrant checks

    /// `GET /ui/warrant-checks`: the open warrant checks that concern the caller's agency, the
    /// nearest deadline first, with who was told.
    func warrantChecks(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = ViewDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        let read: ViewRows
        do {
            read = try await allRows(of: "warrant-checks", for: caller, parameters: [:], requestId: context.id)
        } catch {
            return viewProblemPage(error, request: request, caller: caller)
        }
        let now = gateway.currentDate()
        let rows = read.rows.map { WarrantCheckLine($0, now: now, dates: dates) }
            .sorted { ($0.nextDeadline ?? .distantFuture, $0.releaseId) < ($1.nextDeadline ?? .distantFuture, $1.releaseId) }
        var values: [String: Any] = [
            "rows": rows.map(\.values), "hasRows": !rows.isEmpty,
            "countText": rows.count == 1 ? "1 open check" : "\(rows.count) open checks",
        ]
        if let line = Self.withheldSummary(read.rows) { values["withheldLine"] = line }
        if read.truncated { values["truncated"] = Self.truncatedText(configuration.maxViewRows) }
        return viewPage("warrant-checks", values, title: "Warrant checks", request: request, caller: caller, dates: dates)
    }

    // MARK: - Person

    /// A person page's form: the session's CSRF token and the identifier (a state ID, an FBI
    /// number), posted by the rows' buttons and the search form.
    struct PersonForm: SessionForm {
        var csrf: String?
        var identifier: String?
    }

    /// `GET /ui/persons` and `GET /ui/persons/{identifier}` (the address person pages had
    /// before they were posted): the search form only. Nothing is looked up or recorded, and the
    /// identifier of an old link or bookmark is not used: a person page is reached by a POST,
    /// so the number never lands in a URL (browser history, proxy and access logs).
    func personSearch(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let dates = ViewDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        var values: [String: Any] = ["search": true]
        if context.parameters.get("identifier") != nil {
            values["oldLink"] = "Person pages no longer have their own address, so that a person's number stays out of browser history and server logs. "
                + "Open the person from a list (caseload, releases, warrant checks), or search by number below."
        }
        return viewPage("person", values, title: "Find a person", request: request, caller: caller, dates: dates)
    }

    /// `POST /ui/persons` (`csrf`, `identifier`): what the caller may see of one person, per
    /// view, and how many fields were withheld under which classifications, rendered in the
    /// response to the POST (no redirect that would put the identifier in a URL). A form without
    /// this session's CSRF token reads nothing.
    func person(_ request: Request, context: some RequestContext) async -> Response {
        guard let caller = await caller(of: request) else { return toSignIn(request) }
        let form: PersonForm
        do {
            form = try await postedForm(PersonForm.self, of: request, caller: caller, failed: "Not shown", expired: "The form had expired. Reload the page and try again.")
        } catch {
            return error.page
        }
        let identifier = (form.identifier ?? "").trimmingCharacters(in: .whitespaces)
        let dates = ViewDates(timeZone: configuration.timeZone(forAgency: caller.agencyId))
        // Not an identifier: the same not-found as a person who is not there.
        guard Gateway.isPersonIdentifier(identifier) else { return problemPage(Problem.notFound, request: request, caller: caller) }
        let page: PersonPage
        do {
            page = try await gateway.personPage(identifier, for: caller, requestId: context.id)
        } catch {
            return viewProblemPage(error, request: request, caller: caller)
        }
        guard !page.isEmpty else { return problemPage(Problem.notFound, request: request, caller: caller) }
        let rows = page.sections.flatMap(\.items)
        let values: [String: Any] = [
            "identifier": identifier,
            "sections": page.sections.map { section -> [String: Any] in
                [
                    "view": section.view, "title": PersonFacts.viewTitles[section.view] ?? section.view,
                    "items": section.items.map { item -> [String: Any] in
                        [
                            "key": item.key, "facts": PersonFacts.facts(of: item.value, dates: dates),
                            "notices": item.notices.map { ["text": $0.text] as [String: Any] },
                        ]
                    },
                ]
            },
            "withheldLine": Self.withheldSummary(rows) ?? "Nothing was withheld from you.",
        ]
        return viewPage("person", values, title: "Person \(identifier)", request: request, caller: caller, dates: dates)
    }

    // MARK: - Parts

    /// The rows a page reads of one view.
    struct ViewRows {
        var rows: [VisibleViewRow]
        /// More rows than `maxViewRows` exist; the page shows the first.
        var truncated: Bool
    }

    /// Every row of `view` for `caller`, a page of the gateway's `maxPageSize` at a time (each
    /// page recorded as the API's), at most `maxViewRows`.
    func allRows(of view: String, for caller: Caller, parameters: [String: String], requestId: String) async throws(Problem) -> ViewRows {
        var rows: [VisibleViewRow] = []
        var cursor: ViewCursor?
        repeat {
            let limit = min(gateway.configuration.maxPageSize, configuration.maxViewRows - rows.count)
            let page = try await gateway.viewPage(view, for: caller, parameters: parameters, after: cursor, limit: limit, requestId: requestId)
            rows += page.items
            cursor = page.next
        } while cursor != nil && rows.count < configuration.maxViewRows
        return ViewRows(rows: rows, truncated: cursor != nil)
    }

    /// A gateway problem of a view page: a refusal is the plain "not available for your role"
    /// (recorded by the gateway); everything else as the other pages say it.
    func viewProblemPage(_ error: Problem, request: Request, caller: Caller) -> Response {
        guard error.status == .forbidden else { return problemPage(error, request: request, caller: caller) }
        return message(
            request, caller: caller, status: .forbidden, title: "Not available for your role",
            text: "Your role at your agency may not see this page, and the attempt was recorded. If your work needs it, ask your agency's administrator.")
    }

    /// One line for every field withheld from `rows`: how many, under which classifications.
    static func withheldSummary(_ rows: [VisibleViewRow]) -> String? {
        let withheld = rows.flatMap(\.withheld)
        guard !withheld.isEmpty else { return nil }
        let classes = Set(withheld.flatMap(\.classifications).map(\.rawValue)).sorted().joined(separator: ", ")
        return "\(withheld.count) field\(withheld.count == 1 ? "" : "s") withheld (classification: \(classes.isEmpty ? "none" : classes))."
    }

    static func truncatedText(_ limit: Int) -> String {
        "This page shows the first \(limit) rows only; there are more. Narrow it (a filter) or ask for an export."
    }

    /// The navigation's links to the view pages the caller's roles are offered (`viewsOffered`).
    func viewLinks(for caller: Caller, template: String) -> [[String: Any]] {
        let offered = gateway.viewsOffered(to: caller)
        var links: [[String: Any]] = []
        if offered.contains("caseload") { links.append(["href": "/ui/caseload", "label": "Caseload", "current": template == "caseload"]) }
        if Self.releaseViews.contains(where: offered.contains) {
            links.append(["href": "/ui/releases", "label": "Releases", "current": template == "releases"])
        }
        if offered.contains("warrant-checks") {
            links.append(["href": "/ui/warrant-checks", "label": "Warrant checks", "current": template == "warrant-checks"])
        }
        return links
    }

    /// A view page: `values` with the session's CSRF token (`csrf`), which the rows' person
    /// buttons post.
    func viewPage(_ template: String, _ values: [String: Any], title: String, request: Request, caller: Caller, dates: ViewDates) -> Response {
        let csrf = session.csrfToken(for: request, signedIn: true)
        var values = values
        values["csrf"] = csrf.token
        return page(.ok, template, values, title: title, caller: caller, csrf: csrf.token, cookies: [csrf.cookie].compactMap { $0 },
                    dates: PageDates(timeZone: dates.timeZone))
    }
}

/// The columns the caseload sorts by (`sort=`).
enum CaseloadColumn: String, CaseIterable {
    case name, caseId = "case", start, end, risk, flag

    var label: String {
        switch self {
        case .name: "Person"
        case .caseId: "Case"
        case .start: "Started"
        case .end: "Expected end"
        case .risk: "Risk"
        case .flag: "Latest flag"
        }
    }
}
