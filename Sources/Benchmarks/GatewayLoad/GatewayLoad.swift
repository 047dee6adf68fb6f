import AsyncHTTPClient
import Contracts
import Foundation
import Kafka
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Ingest under load from a second process (`reentrybus bench gateway`): starts `reentrybus dev`
/// as a child process, sends it valid, distinct arrests (`POST /v1/events`) at a constant rate
/// whatever its answers (open loop: a slow answer does not delay the next request, so latency
/// is measured from when each request was due, not from when it went out), then reads the
/// topic and checks every event answered 202 is there exactly once.
///
/// The gateway's per-agency rate limit is set above the rate asked, so what is measured is the
/// gateway and the broker, not the limiter.
public struct GatewayLoad: Sendable {
    /// The `reentrybus` executable to start as the child.
    public var executable: URL
    /// Requests per second asked. Default: 1,000.
    public var rate: Int
    /// How long requests are sent. Default: 60 seconds.
    public var duration: Duration
    /// Where the child keeps its databases and log (a fresh temporary directory by default).
    public var dataDirectory: URL
    /// How long the child may take to start. Default: 3 minutes (a debug build on a busy machine).
    public var startLimit: Duration
    /// How long one request may take before it counts as a transport error. Default: 30 s.
    public var requestTimeout: Duration
    /// Connections the client may open to the gateway. Default: 64.
    public var connections: Int

    public static let topic = "police.arrests"
    /// The demo user whose token sends the events (the police's system, integrator of MO-KCPD).
    public static let sender = "kcpd-rms"

    public init(
        executable: URL, rate: Int = 1_000, duration: Duration = .seconds(60),
        dataDirectory: URL = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-load-\(UUID().uuidString)", isDirectory: true),
        startLimit: Duration = .seconds(180), requestTimeout: Duration = .seconds(30), connections: Int = 64
    ) {
        self.executable = executable
        self.rate = rate
        self.duration = duration
        self.dataDirectory = dataDirectory
        self.startLimit = startLimit
        self.requestTimeout = requestTimeout
        self.connections = connections
    }

    /// Runs the load and the check; the child is stopped whatever happens.
    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws -> GatewayLoadReport {
        let child = try DevChildProcess(executable: executable, dataDirectory: dataDirectory, gatewayRate: rate * 2 + 1_000)
        do {
            let details = try await child.details(within: startLimit)
            guard let token = details.tokens[Self.sender] else {
                throw DevChildProcess.Failure.unreadableDetails("no token for \(Self.sender)")
            }
            progress("gateway at \(details.url); sending \(rate) requests/s for \(duration)")
            var report = try await drive(url: details.url, token: token)
            progress("\(report.accepted) accepted; reading \(Self.topic)")
            let counts = try await EventIdCounter.count(topic: Self.topic, bootstrapServers: details.bootstrapServers)
            report.check(against: counts)
            await child.stop()
            do {
                try FileManager.default.removeItem(at: dataDirectory)
            } catch {
                progress("the child's data directory \(dataDirectory.path) could not be removed: \(error)")
            }
            return report
        } catch {
            await child.stop()
            throw error
        }
    }

    /// One request's outcome: its HTTP status (nil: no answer) and how long after it was due
    /// the answer came.
    struct Outcome: Sendable {
        var eventId: String
        var status: Int?
        var latency: Duration
    }

    func drive(url: String, token: String) async throws -> GatewayLoadReport {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(Int64(requestTimeout.components.seconds)))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let total = max(1, Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * Double(rate)))
        let interval = Duration.nanoseconds(1_000_000_000 / Int64(rate))
        let clock = ContinuousClock()
        let start = clock.now
        let endpoint = url + "/v1/events"
        let timeout = TimeAmount.seconds(Int64(requestTimeout.components.seconds))
        let outcomes: [Outcome] = await withTaskGroup(of: Outcome.self) { group in
            for index in 0..<total {
                let due = start + interval * index
                if due > clock.now {
                    do {
                        try await clock.sleep(until: due)
                    } catch {
                        break  // cancelled: stop sending
                    }
                }
                group.addTask {
                    let eventId = UUID().uuidString.lowercased()
                    var request = HTTPClientRequest(url: endpoint)
                    request.method = .POST
                    request.headers.add(name: "content-type", value: "application/json")
                    request.headers.add(name: "authorization", value: "Bearer \(token)")
                    request.body = .bytes(ByteBuffer(bytes: ArrestTemplate.event(id: eventId, index: index)))
                    var status: Int?
                    do {
                        let response = try await client.execute(request, timeout: timeout)
                        _ = try await response.body.collect(upTo: 1 << 20)
                        status = Int(response.status.code)
                    } catch {
                        status = nil
                    }
                    return Outcome(eventId: eventId, status: status, latency: clock.now - due)
                }
            }
            var outcomes: [Outcome] = []
            outcomes.reserveCapacity(total)
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let elapsed = clock.now - start
        do {
            try await client.shutdown()
        } catch {
            // Every request has finished: a failing shutdown changes no figure.
        }
        return GatewayLoadReport(outcomes: outcomes, askedRate: rate, elapsed: elapsed)
    }
}

/// What the load came to: answers by status, latency percentiles (from when each request was
/// due), the rate answers came at, and what the topic holds of the accepted events.
public struct GatewayLoadReport: Sendable {
    public var sent: Int
    public var askedRate: Int
    public var accepted: Int
    /// Answers by HTTP status, 202 included.
    public var statuses: [Int: Int]
    /// Requests without an answer (refused connection, timeout, reset).
    public var transportErrors: Int
    public var serverErrors: Int
    /// Answers per second over the whole run (first due to last answer).
    public var rate: Double
    public var p50Milliseconds: Double
    public var p99Milliseconds: Double
    public var maxMilliseconds: Double
    /// Accepted events not on the topic.
    public var missing: Int
    /// Extra copies of accepted events on the topic.
    public var duplicates: Int
    /// Events on the topic whose request got no 202 (an answer lost to a timeout): not an
    /// error of the gateway, but counted.
    public var unacknowledgedOnTopic: Int
    let acceptedIds: Set<String>

    init(outcomes: [GatewayLoad.Outcome], askedRate: Int, elapsed: Duration) {
        sent = outcomes.count
        self.askedRate = askedRate
        var statuses: [Int: Int] = [:]
        for outcome in outcomes { if let status = outcome.status { statuses[status, default: 0] += 1 } }
        self.statuses = statuses
        accepted = statuses[202] ?? 0
        transportErrors = outcomes.count - statuses.values.reduce(0, +)
        serverErrors = statuses.filter { $0.key >= 500 }.values.reduce(0, +)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        rate = seconds > 0 ? Double(statuses.values.reduce(0, +)) / seconds : 0
        let latencies = outcomes.map { Double($0.latency.components.seconds) * 1_000 + Double($0.latency.components.attoseconds) / 1e15 }.sorted()
        p50Milliseconds = Self.percentile(latencies, 0.50)
        p99Milliseconds = Self.percentile(latencies, 0.99)
        maxMilliseconds = latencies.last ?? 0
        acceptedIds = Set(outcomes.filter { $0.status == 202 }.map(\.eventId))
        missing = 0
        duplicates = 0
        unacknowledgedOnTopic = 0
    }

    /// The nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Compares the accepted events with how often each event id is on the topic.
    mutating func check(against counts: [String: Int]) {
        missing = acceptedIds.filter { (counts[$0] ?? 0) == 0 }.count
        duplicates = acceptedIds.reduce(0) { $0 + max(0, (counts[$1] ?? 0) - 1) }
        unacknowledgedOnTopic = counts.keys.filter { !acceptedIds.contains($0) }.count
    }

    /// One figure a line, `gateway.ingest.<name> <value> <unit>`, and the rate reached as a
    /// ratio of the rate asked.
    public var figures: [String] {
        let printer = FigureLines()
        printer.figure("gateway.ingest.asked", Double(askedRate), "req/s")
        printer.figure("gateway.ingest.rate", rate, "req/s")
        printer.figure("gateway.ingest.p50", p50Milliseconds, "ms")
        printer.figure("gateway.ingest.p99", p99Milliseconds, "ms")
        printer.figure("gateway.ingest.max", maxMilliseconds, "ms")
        printer.figure("gateway.ingest.sent", Double(sent), "requests")
        printer.figure("gateway.ingest.accepted", Double(accepted), "requests")
        printer.figure("gateway.ingest.4xx", Double(statuses.filter { (400..<500).contains($0.key) }.values.reduce(0, +)), "requests")
        printer.figure("gateway.ingest.5xx", Double(serverErrors), "requests")
        printer.figure("gateway.ingest.no-answer", Double(transportErrors), "requests")
        printer.figure("gateway.ingest.missing", Double(missing), "events")
        printer.figure("gateway.ingest.duplicates", Double(duplicates), "events")
        printer.figure("gateway.ingest.unacknowledged-on-topic", Double(unacknowledgedOnTopic), "events")
        printer.ratio("gateway.ingest.rate/asked", askedRate > 0 ? rate / Double(askedRate) : 0)
        return printer.lines.withLock { $0 }
    }
}

/// Collects figure lines in `FigurePrinter`'s format.
private final class FigureLines: Sendable {
    let lines = Mutex<[String]>([])

    func figure(_ name: String, _ value: Double, _ unit: String) {
        lines.withLock { $0.append("\(name) \(FigurePrinter.format(value)) \(unit)") }
    }

    func ratio(_ name: String, _ value: Double) {
        lines.withLock { $0.append("ratio \(name) \(String(format: "%.3f", value))") }
    }
}

/// A valid arrest (the contract's example, source MO-KCPD) with a given event id and an arrest
/// id, report number and state ID made from `index`, so every event is distinct and the events
/// spread over the topic's partitions (keyed by state ID). One person for all of them put every
/// event in one partition, where the embedded broker keeps only about 5 MiB (~6,300 arrests)
/// and silently drops the oldest: the check then counted dropped events as missing.
enum ArrestTemplate {
    static func event(id: String, index: Int) -> [UInt8] {
        let number = String(format: "%06d", index % 1_000_000)
        return Array("""
            {"eventId":"\(id)","eventType":"police.arrest.made","occurredAt":"2025-03-03T14:00:00Z",\
            "payload":{"arrestId":"KCPD-A-25-\(number)","arrestedAt":"2025-06-11T22:40:00-05:00","arrestingAgencyId":"MO-KCPD",\
            "charges":[{"code":"571.030","description":"Unlawful use of a weapon","level":"felony"}],\
            "location":{"address":{"city":"Kansas City","line1":"3100 Prospect Ave","postalCode":"64128","state":"MO"}},\
            "reportNumber":"KCPD-25-\(number)"},"recordedAt":"2025-03-03T14:00:05Z","schemaVersion":1,\
            "source":{"agencyId":"MO-KCPD","agencyKind":"police"},\
            "subject":{"dateOfBirth":"1990-07-14","name":{"family":"Reyes","given":"Darnell"},"stateId":"MO9\(number)"}}
            """.utf8)
    }
}

/// Reads a topic in full (outside any group) and counts each event id (the `event-id` header).
enum EventIdCounter {
    static func count(topic: String, bootstrapServers: [String]) async throws -> [String: Int] {
        let reader = try KafkaTopicReader(
            configuration: KafkaTopicReaderConfiguration(
                client: KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: "gateway-load", statisticsInterval: nil),
                topics: [topic], partitionDiscoveryInterval: nil),
            logger: Logger(label: "gateway-load"))
        // Counts until the reader closes (after catching up): the sequence then ends, or
        // throws `.closed` while waiting for more.
        let reading = Task { () throws -> [String: Int] in
            var counts: [String: Int] = [:]
            do {
                for try await message in reader.messages {
                    guard let header = message.headers.first(where: { $0.key == EventHeaders.eventId }), let value = header.value else { continue }
                    counts[String(decoding: value, as: UTF8.self), default: 0] += 1
                }
            } catch let error as KafkaError where error.code == .closed {
                // Closed once caught up: everything was counted.
            }
            return counts
        }
        do {
            try await reader.waitUntilCaughtUp()
        } catch {
            reading.cancel()
            await reader.close()
            throw error
        }
        await reader.close()
        return try await reading.value
    }
}
