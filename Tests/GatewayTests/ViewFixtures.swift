import Contracts
import Foundation
import Gateway
import Policy
import Synchronization

/// The built-in views policy over the test catalog.
let viewPolicy = try! ViewPolicy.bundled(catalog: catalog)

/// Rows as the read models encode them (every member present), per view; a view source that
/// answers every query of a view with them, and remembers each query it was asked.
final class FixedViewSource: ViewSource {
    let rowsByView: Mutex<[String: [JSONValue]]>
    let asked = Mutex<[ViewQuery]>([])

    init(_ rows: [String: [JSONValue]] = ViewFixtures.rows) {
        rowsByView = Mutex(rows)
    }

    func rows(_ query: ViewQuery, asOf: Date) async throws -> [JSONValue] {
        asked.withLock { $0.append(query) }
        return rowsByView.withLock { $0[Self.view(of: query)] ?? [] }
    }

    func insert(_ row: JSONValue, into view: String) {
        rowsByView.withLock { $0[view, default: []].append(row) }
    }

    var queries: [ViewQuery] { asked.withLock { $0 } }

    static func view(of query: ViewQuery) -> String {
        switch query {
        case .caseload: "caseload"
        case .policeReleases: "police-releases"
        case .policeWarrants: "police-warrants"
        case .policeSupervisees: "police-supervisees"
        case .policeBulletins: "police-bulletins"
        case .releaseBoard: "release-board"
        case .warrantChecks: "warrant-checks"
        case .highNeeds: "high-needs"
        case .courtWarrants: "court-warrants"
        case .courtBlockedReleases: "court-blocked-releases"
        case .safetyCheck: "safety-check"
        }
    }
}

enum ViewFixtures {
    static func row(_ text: String) -> JSONValue { try! JSONValue(parsing: Array(text.utf8)) }

    static let person = #"{"personKey":"state:MO1234567","stateId":"MO1234567","fbiNumber":"FB123","name":{"first":"Darnell","last":"Reyes"},"dateOfBirth":"1990-04-02"}"#
    static let address = #"{"line1":"4410 Troost Ave","city":"Kansas City","state":"MO","postalCode":"64110"}"#
    static let facility = #"{"facilityId":"MO-DOC-WERDCC","name":"WERDCC"}"#

    static func caseload(_ caseId: String, stateId: String = "MO1234567") -> JSONValue {
        row(#"""
            {"caseId":"\#(caseId)","personKey":"state:\#(stateId)","stateId":"\#(stateId)","fbiNumber":"FB123","name":{"first":"Darnell","last":"Reyes"},
             "supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP","officer":{"officerId":"PP-KC-118","name":"Ann Lee"},
             "startDate":"2025-01-02","expectedEndDate":"2027-01-02","conditions":[{"kind":"curfew"}],"conditionsEffectiveDate":"2025-01-02",
             "address":\#(address),"addressEffectiveDate":"2025-01-02","householdMembers":[{"name":{"first":"Maya","last":"Reyes"}}],
             "latestAssessment":{"assessmentId":"A-1","instrument":"ORAS","riskLevel":"high","completedOn":"2025-02-01"},
             "flags":[{"kind":"arrest","date":"2026-11-20T10:00:00Z","sourceRecordId":"R-1"}]}
            """#)
    }

    static let rows: [String: [JSONValue]] = [
        "caseload": [caseload("C-1"), caseload("C-2", stateId: "MO7654321")],
        "police-releases": [row(#"""
            {"releaseId":"REL-1","person":\#(person),"status":"scheduled","facility":\#(facility),"expectedAt":"2026-12-10T15:00:00Z",
             "releaseType":"parole","destination":\#(address),"supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP",
             "activeCase":{"caseId":"C-1","supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP"},
             "latestAssessment":{"assessmentId":"A-1","riskLevel":"high"}}
            """#)],
        "police-warrants": [row(#"""
            {"person":\#(person),"warrant":{"warrantId":"W-1","kind":"bench","issuedOn":"2026-10-01","issuingAgencyId":"MO-CIRCUIT16"},
             "registeredAddress":\#(address)}
            """#)],
        "police-supervisees": [row(#"""
            {"caseId":"C-1","person":\#(person),"supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP","startOn":"2025-01-02",
             "expectedEndOn":"2027-01-02","officer":{"officerId":"PP-KC-118","name":"Ann Lee"},"registeredAddress":\#(address),
             "conditions":[{"kind":"no_contact"}]}
            """#)],
        "police-bulletins": [row(#"""
            {"bulletinId":"B-1","person":\#(person),"registeredAddress":\#(address),
             "consent":{"grantedOn":"2026-01-01","expiresOn":"2027-01-01","scope":"crisis_response"},
             "baseline":{"diagnosisSummary":"anxiety"},"keyContacts":[{"name":"Dr. Ortiz","phone":"816-555-0100"}]}
            """#)],
        "release-board": [row(#"""
            {"releaseId":"REL-1","person":\#(person),"status":"scheduled","facility":\#(facility),"expectedAt":"2026-12-10T15:00:00Z",
             "releasedAt":null,"releaseType":"parole","destination":\#(address),"supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP",
             "warrantCheck":"hold","activeWarrants":[{"warrantId":"W-1"}],"activeDetainers":[],
             "told":[{"notificationId":"N-1","recipient":"facility:MO-DOC-WERDCC","rule":"hold","priority":"high","occurredAt":"2026-11-30T10:00:00Z","sourceEventType":"courts.warrant.issued","about":"release"}]}
            """#)],
        "warrant-checks": [row(#"""
            {"releaseId":"REL-1","status":"hold","stateId":"MO1234567","facilityId":"MO-DOC-WERDCC","facilityName":"WERDCC",
             "releaseAt":"2026-12-10T15:00:00Z","deadlines":[{"daysBefore":7,"at":"2026-12-03T15:00:00Z","escalated":false}],
             "warrants":["W-1"],"detainers":[],"told":[{"recipient":"agency:MO-JACKSON-PA","rule":"hold"}]}
            """#)],
        "high-needs": [row(#"""
            {"releaseId":"REL-1","person":\#(person),"status":"scheduled","facility":\#(facility),"expectedAt":"2026-12-10T15:00:00Z",
             "releaseType":"parole","destination":\#(address),"supervisionType":"parole","supervisingAgencyId":"MO-DOC-PP",
             "reasons":["high_needs"],"latestAssessment":{"assessmentId":"A-1","riskLevel":"high"},"highNeeds":[{"domain":"housing"}],
             "incidents":[{"incidentId":"I-1","kind":"assault","incidentAt":"2026-06-01T00:00:00Z","role":"victim"}]}
            """#)],
        "court-warrants": [row(#"""
            {"warrantId":"W-1","personKey":"state:MO1234567","stateId":"MO1234567","fbiNumber":"FB123","name":{"first":"Darnell","last":"Reyes"},
             "warrantKind":"bench","issuedOn":"2026-10-01","caseNumber":"16CR-1","offenses":[{"statute":"571.030"}]}
            """#)],
        "court-blocked-releases": [row(#"""
            {"releaseId":"REL-1","personKey":"state:MO1234567","stateId":"MO1234567","fbiNumber":"FB123","name":{"first":"Darnell","last":"Reyes"},
             "facility":\#(facility),"expectedAt":"2026-12-10T15:00:00Z","warrantIds":["W-1"]}
            """#)],
        "safety-check": [row(#"""
            {"address":"4410 TROOST AVE, KANSAS CITY, MO 64110","coordinates":{"latitude":39.04,"longitude":-94.57},"coordinatesFrom":"given",
             "radiusMeters":500,"asOf":"2026-11-30T10:00:00Z","incidentWindowDays":30,
             "residents":[{"kind":"supervisee","stateId":"MO1234567","personKey":"state:MO1234567","caseId":"C-1"}],
             "investigations":[{"investigationId":"INV-1","leadAgencyId":"MO-KCPD","sensitivity":"high","summary":"narcotics",
               "reasons":["within_area"],"namedResidents":[],"detailsWithheld":false,"contact":{"officerId":"D-7","name":"Det. Kim"}}],
             "incidents":[{"incidentId":"I-1","incidentKind":"assault","incidentAt":"2026-11-20T00:00:00Z","reasons":["within_radius"],"namedResidents":[]}]}
            """#)],
    ]
}
