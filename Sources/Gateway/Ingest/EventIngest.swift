import Contracts
import Foundation
import Kafka
import Logging
import Metrics
import ServiceKit
import Synchronization

/// The ingest rules of `POST /v1/events` and `POST /v1/events/batch`, apart from HTTP:
///
/// 1. The caller must hold the `integrator` role (403).
/// 2. The agency's rate admits the events (429 with the seconds to wait).
/// 3. Every event passes its contract (the topic is the one its type belongs to; only agency
///    topics, never a `bus.*` one), and no two events of a batch share an id (400 naming each
///    line, JSON path and keyword). Nothing is sent unless all pass.
/// 4. Every event's `source.agencyId` is the caller's agency, its `source.agencyKind` is the
///    caller's agency's kind (the token's `agencyKind` claim, else the agency directory's
///    entry; a sheriff's office may also write as the jail it runs), and that kind is a
///    producer of the topic (403). An agency of no known kind may send nothing: otherwise a
///    police system could write as a court and seal a person's records, or as a jail and
///    release someone. A sealing order's `issuingCourtId` is the caller's court, and on
///    `courts.warrants` the `issuingAgencyId`, `requestingAgencyId` and `servingAgencyId` the
///    caller's agency (403); who may end another agency's warrant, detainer or release is the
///    consumers' check (`RecordAuthority`), which knows each record's agency.
/// 5. An id already accepted with the same bytes is a retry: its first outcome is answered and
///    nothing is sent; with other bytes, 409. An id another request is ingesting right now: 409
///    with `Retry-After`.
/// 6. The new events are sent and the answer waits for every delivery report; each stored one
///    is recorded, then answered 202. When any was not stored: 503, saying which were (they are
///    recorded: the retry of the same request sends only the rest).
public struct EventIngest: Sendable {
    /// One event's answer: the first outcome of its id.
    public struct Accepted: Sendable, Hashable {
        public var eventId: String
        public var topic: String
        public var acceptedAt: Date
    }

    let catalog: TopicCatalog
    let validator: EventValidator
    let sink: any EventSink
    let database: ServiceDatabase
    /// Where an agency's kind is looked up when the caller's token states none: the agency
    /// directory the inbox keeps.
    let directory: any NotificationSource
    let limiter: AgencyRateLimiter
    let configuration: IngestConfiguration
    let inFlight = InFlightEventIds()
    let lastPrune = PruneClock()
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        catalog: TopicCatalog, sink: any EventSink, database: ServiceDatabase, directory: any NotificationSource,
        configuration: IngestConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.catalog = catalog
        self.directory = directory
        // Where events enter the bus: a person's key that says there is no number is refused.
        validator = EventValidator(
            catalog: catalog, limits: JSONDecodingLimits(maxDocumentBytes: configuration.maxEventBytes), refusesPlaceholderKeys: true)
        self.sink = sink
        self.database = database
        limiter = AgencyRateLimiter(rate: configuration.rate, now: now)
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// The topics the gateway may write: every agency topic of the contracts (what an event's
    /// type can lead to). Its Kafka user needs Write on these and nothing else of the kind.
    public static func ingestTopics(_ catalog: TopicCatalog) -> [String] {
        catalog.topics.filter { $0.valueFormat == .event && !BusTopic.all.contains($0.name) }.map(\.name).sorted()
    }

    /// Ingests `events` (each one event's bytes; `lines` their NDJSON line numbers, or nil for
    /// a single event) for `caller`.
    public func ingest(_ events: [[UInt8]], lines: [Int]?, caller: Caller) async throws(Problem) -> [Accepted] {
        guard caller.has(.integrator) else {
            throw .forbidden("Ingest needs the integrator role of the event's source agency.")
        }
        guard !events.isEmpty else { throw .badRequest("The batch holds no event.") }
        if let wait = limiter.admit(agency: caller.agencyId, events: events.count) {
            Counter(label: "reentrybus_gateway_rate_limited_total").increment()
            throw Problem(.tooManyRequests, type: "/problems/rate-limited", title: "Too many events",
                          detail: "Your agency's event rate is exceeded; retry after \(wait) s.", headers: [.retryAfter: "\(wait)"])
        }
        let kind = try await agencyKind(of: caller)
        let validated = try validate(events, lines: lines, caller: caller, kind: kind)
        let ids = validated.map { $0.event.eventId.lowercased() }
        guard inFlight.claim(ids) else {
            throw Problem(.conflict, type: "/problems/in-progress", title: "Event being ingested",
                          detail: "An event with one of these ids is being ingested by another request; retry.", headers: [.retryAfter: "1"])
        }
        defer { inFlight.release(ids) }
        return try await deliver(validated, lines: lines, caller: caller)
    }

    struct Checked {
        var event: ValidatedEvent
        var bytes: [UInt8]
        var digest: String
    }

    /// The kind of agency `caller` acts for: the token's `agencyKind` claim, else the agency
    /// directory's entry; 403 when neither names one, 503 when the directory cannot be read.
    func agencyKind(of caller: Caller) async throws(Problem) -> AgencyKind {
        if let kind = caller.agencyKind { return kind }
        let kind: AgencyKind?
        do {
            kind = try await directory.agencyKind(of: caller.agencyId)
        } catch {
            logger.error("Agency directory unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw .unavailable("The agency directory cannot be read right now; nothing was sent.")
        }
        guard let kind else {
            Counter(label: "reentrybus_gateway_events_refused_total", dimensions: [("reason", "forbidden")]).increment()
            throw .forbidden(
                "Your agency's kind is unknown: the token has no agencyKind claim and the agency directory no entry for \(caller.agencyId); nothing was sent.")
        }
        return kind
    }

    func validate(_ events: [[UInt8]], lines: [Int]?, caller: Caller, kind callerKind: AgencyKind) throws(Problem) -> [Checked] {
        var checked: [Checked] = []
        var violations: [Problem.Violation] = []
        var forbidden: [String] = []
        var lineOfId: [String: Int] = [:]
        for (index, bytes) in events.enumerated() {
            let line = lines?[index]
            do {
                let event = try validateOne(bytes)
                let id = event.eventId.lowercased()
                if let first = lineOfId[id] {
                    violations.append(.init(path: "$.eventId", keyword: "uniqueItems", message: "the same event id as line \(first)", line: line))
                    continue
                }
                lineOfId[id] = line ?? index + 1
                if let problem = sourceProblem(event, caller: caller, kind: callerKind) {
                    forbidden.append(line.map { "line \($0): \(problem)" } ?? problem)
                }
                var hash = SHA256()
                hash.update(bytes)
                checked.append(Checked(event: event, bytes: bytes, digest: hash.finalize().hexString))
            } catch {
                violations.append(contentsOf: Self.violations(of: error, line: line))
            }
        }
        guard violations.isEmpty else {
            Counter(label: "reentrybus_gateway_events_refused_total", dimensions: [("reason", "invalid")]).increment(by: events.count)
            throw .badRequest(
                lines == nil ? "The event breaks its contract; nothing was sent." : "\(violations.count) problem(s) in the batch; nothing was sent.",
                violations: violations)
        }
        guard forbidden.isEmpty else {
            Counter(label: "reentrybus_gateway_events_refused_total", dimensions: [("reason", "forbidden")]).increment(by: events.count)
            throw .forbidden(forbidden.prefix(20).joined(separator: "; ") + "; nothing was sent.")
        }
        return checked
    }

    /// One event against its contract, on the topic its type belongs to.
    func validateOne(_ bytes: [UInt8]) throws(EventValidationError) -> ValidatedEvent {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes, limits: validator.limits)
        } catch {
            throw EventValidationError(.notJSON(error))
        }
        guard case .string(let eventType)? = document["eventType"] else { throw EventValidationError(.envelopeField("eventType")) }
        guard let contract = catalog.topic(forEventType: eventType), contract.valueFormat == .event, !BusTopic.all.contains(contract.name) else {
            throw EventValidationError(.unknownEventType(eventType, version: 0))
        }
        return try validator.validate(document, topic: contract.name)
    }

    /// Why `caller`, of an agency of kind `callerKind`, may not send `event`, or nil.
    func sourceProblem(_ event: ValidatedEvent, caller: Caller, kind callerKind: AgencyKind) -> String? {
        let source = event.document["source"]
        guard case .string(let agency)? = source?["agencyId"], agency == caller.agencyId else {
            return "$.source.agencyId is not your agency"
        }
        guard case .string(let code)? = source?["agencyKind"], let kind = AgencyKind(rawValue: code), Self.mayWrite(as: kind, callerKind) else {
            return "$.source.agencyKind is not your agency's kind (\(callerKind.rawValue))"
        }
        guard let contract = catalog.topic(named: event.topic), contract.producers.contains(kind.rawValue) else {
            return "$.source.agencyKind does not produce \(event.topic)"
        }
        // A court seals only by its own orders: every service erases what an order covers.
        if event.topic == Self.sealingTopic, case .string(let court)? = event.document["payload"]?["issuingCourtId"], court != caller.agencyId {
            return "$.payload.issuingCourtId is not your court"
        }
        // On courts.warrants an agency speaks only for itself: the warrants it issues, the holds
        // it asks for, the warrants it served.
        if event.topic == "courts.warrants" {
            for field in ["issuingAgencyId", "requestingAgencyId", "servingAgencyId"] {
                if case .string(let agency)? = event.document["payload"]?[field], agency != caller.agencyId {
                    return "$.payload.\(field) is not your agency"
                }
            }
        }
        return nil
    }

    static let sealingTopic = "records.sealing"

    /// Whether an agency of kind `callerKind` may write events as `kind`: its own kind, or the
    /// jail a sheriff's office runs.
    static func mayWrite(as kind: AgencyKind, _ callerKind: AgencyKind) -> Bool {
        kind == callerKind || (callerKind == .sheriff && kind == .jail)
    }

    func deliver(_ checked: [Checked], lines: [Int]?, caller: Caller) async throws(Problem) -> [Accepted] {
        let ids = checked.map { $0.event.eventId.lowercased() }
        let stored: [String: IngestStore.Outcome]
        do {
            stored = try await database.read { try IngestStore.outcomes(of: ids, $0) }
        } catch {
            logger.error("Gateway database unreadable", metadata: ["error": "\(error)"])
            throw .unavailable("The gateway cannot read its database; nothing was sent.")
        }
        var conflicts: [Problem.Violation] = []
        var fresh: [Int] = []
        for (index, item) in checked.enumerated() {
            if let outcome = stored[ids[index]] {
                if outcome.contentDigest != item.digest {
                    conflicts.append(.init(path: "$.eventId", keyword: "unique", message: "this id was accepted before with other content; every event needs its own id",
                                           line: lines?[index]))
                }
            } else {
                fresh.append(index)
            }
        }
        guard conflicts.isEmpty else {
            throw Problem(.conflict, type: "/problems/event-id-reused", title: "Event id reused",
                          detail: "Nothing was sent.", violations: conflicts)
        }
        let messages = fresh.map { index in
            let event = checked[index].event
            return KafkaProducerMessage(
                topic: event.topic, key: Array(event.key.utf8), value: checked[index].bytes,
                headers: event.headers.map { KafkaHeader(key: $0.key, value: $0.value) })
        }
        // A retry of events all stored before sends nothing and writes nothing.
        guard !messages.isEmpty else { return Self.accepted(ids, stored: stored, fresh: [:]) }
        let failures = await sink.deliver(messages)
        let acceptedAt = Int64((now().timeIntervalSince1970 * 1000).rounded())
        var outcomes: [IngestStore.Outcome] = []
        for (position, index) in fresh.enumerated() where failures[position] == nil {
            let event = checked[index].event
            outcomes.append(IngestStore.Outcome(
                eventId: ids[index], contentDigest: checked[index].digest, topic: event.topic, agencyId: caller.agencyId,
                acceptedAtMilliseconds: acceptedAt))
        }
        let pruneBefore = pruneCutoff()
        let recorded = outcomes
        do {
            try await database.write { try IngestStore.record(recorded, pruneBefore: pruneBefore, $0) }
        } catch {
            // Stored on the topic but not remembered: a retry would send a second copy, which
            // every consumer drops by its event id. Said, not hidden.
            logger.error("Gateway could not record accepted events", metadata: ["events": "\(outcomes.count)", "error": "\(error)"])
        }
        Counter(label: "reentrybus_gateway_events_accepted_total").increment(by: outcomes.count)
        guard failures.isEmpty else {
            Counter(label: "reentrybus_gateway_delivery_failures_total").increment(by: failures.count)
            logger.warning("Broker did not store events", metadata: ["failed": "\(failures.count)", "stored": "\(outcomes.count)"])
            let notStored = failures.keys.sorted().map { position -> String in
                let index = fresh[position]
                return lines.map { "line \($0[index])" } ?? "the event"
            }
            throw .unavailable("The broker did not store \(notStored.joined(separator: ", ")); the others were stored. Retry the same request: stored events are not sent again.")
        }
        return Self.accepted(ids, stored: stored, fresh: Dictionary(outcomes.map { ($0.eventId, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Each id's first outcome: stored before, or just now.
    static func accepted(_ ids: [String], stored: [String: IngestStore.Outcome], fresh: [String: IngestStore.Outcome]) -> [Accepted] {
        ids.compactMap { id in
            guard let outcome = stored[id] ?? fresh[id] else { return nil }
            return Accepted(eventId: id, topic: outcome.topic, acceptedAt: Date(timeIntervalSince1970: Double(outcome.acceptedAtMilliseconds) / 1000))
        }
    }

    /// The cutoff to prune outcomes before, at most once per 10 minutes.
    func pruneCutoff() -> Int64? {
        let now = self.now()
        let due = lastPrune.due(at: now, every: 600)
        guard due else { return nil }
        let keep = Double(configuration.rememberFor.components.seconds)
        return Int64(((now.timeIntervalSince1970 - keep) * 1000).rounded())
    }

    /// An event's validation error as problem-details violations (path, keyword, message; no
    /// value of the event).
    static func violations(of error: EventValidationError, line: Int?) -> [Problem.Violation] {
        switch error.reason {
        case .notJSON(let json):
            return [.init(path: "$", keyword: "json", message: "not one JSON document: \(json)", line: line)]
        case .envelopeField(let field):
            return [.init(path: "$.\(field)", keyword: "required", message: "missing or of the wrong type", line: line)]
        case .unknownEventType(let type, let version):
            let which = version == 0 ? "\(type) is not an agency event type of the contracts" : "no contract defines \(type) version \(version)"
            return [.init(path: "$.eventType", keyword: "contract", message: which, line: line)]
        case .schemaViolations(let violations):
            return violations.map { .init(path: $0.instancePath.description, keyword: $0.keyword, message: $0.message, line: line) }
        case .keyMismatch(let field):
            return [.init(path: "$.\(field)", keyword: "required", message: "the topic's key field is missing", line: line)]
        case .placeholderKey(let field):
            return [.init(path: "$.\(field)", keyword: "placeholder", message: EventValidationError.placeholderKeyProblem, line: line)]
        default:
            return [.init(path: "$", keyword: "contract", message: error.description, line: line)]
        }
    }
}

/// The event ids requests are ingesting right now: two requests with one id must not both send.
final class InFlightEventIds: Sendable {
    private let ids = Mutex<Set<String>>([])

    /// Claims every id, or none when any is claimed.
    func claim(_ claimed: [String]) -> Bool {
        ids.withLock { ids in
            guard ids.isDisjoint(with: claimed) else { return false }
            ids.formUnion(claimed)
            return true
        }
    }

    func release(_ released: [String]) {
        _ = ids.withLock { $0.subtract(released) }
    }
}

/// When outcomes were last pruned.
final class PruneClock: Sendable {
    private let last = Mutex<Date?>(nil)

    /// Whether `every` seconds have passed since the last time this said yes (yes the first time).
    func due(at now: Date, every seconds: TimeInterval) -> Bool {
        last.withLock { last in
            guard last.map({ now.timeIntervalSince($0) >= seconds }) ?? true else { return false }
            last = now
            return true
        }
    }
}
