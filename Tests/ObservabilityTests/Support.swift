import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Observability
import TestSupport
import Testing

let testLogger = makeTestLogger("observability-tests")

let topicsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Topics", isDirectory: true)

let catalog: TopicCatalog = try! TopicCatalog.load(from: topicsDirectory)

/// One sample of Prometheus' text format: `name{label="value",…} value`.
struct PrometheusSample: Equatable, CustomStringConvertible {
    var name: String
    var labels: [String: String]
    var value: Double

    var description: String {
        "\(name){\(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ","))} \(value)"
    }
}

/// Samples of a Prometheus text exposition (comments skipped); a line that does not parse is
/// an issue of the test.
func prometheusSamples(_ text: String) -> [PrometheusSample] {
    var samples: [PrometheusSample] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
        guard let sample = parseSample(line) else {
            Issue.record("not a Prometheus sample: \(line)")
            continue
        }
        samples.append(sample)
    }
    return samples
}

private func parseSample(_ line: Substring) -> PrometheusSample? {
    var rest = line[...]
    guard let nameEnd = rest.firstIndex(where: { $0 == "{" || $0 == " " }) else { return nil }
    let name = String(rest[..<nameEnd])
    rest = rest[nameEnd...]
    var labels: [String: String] = [:]
    if rest.hasPrefix("{") {
        rest = rest.dropFirst()
        while !rest.hasPrefix("}") {
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let key = String(rest[..<equals])
            rest = rest[rest.index(after: equals)...]
            guard rest.hasPrefix("\"") else { return nil }
            rest = rest.dropFirst()
            var value = ""
            while let character = rest.first, character != "\"" {
                rest = rest.dropFirst()
                if character == "\\", let escaped = rest.first {
                    rest = rest.dropFirst()
                    value.append(escaped == "n" ? "\n" : escaped)
                } else {
                    value.append(character)
                }
            }
            guard rest.hasPrefix("\"") else { return nil }
            rest = rest.dropFirst()
            labels[key] = value
            if rest.hasPrefix(",") { rest = rest.dropFirst() }
        }
        rest = rest.dropFirst()
    }
    guard rest.hasPrefix(" "), let value = Double(rest.dropFirst().split(separator: " ").first ?? "") else { return nil }
    return PrometheusSample(name: name, labels: labels, value: value)
}

extension [PrometheusSample] {
    /// The value of the one sample named `name` with exactly `labels`, nil when there is none.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        first { $0.name == name && $0.labels == labels }?.value
    }
}

/// GETs `path` from a live endpoint on loopback.
func get(_ path: String, port: Int) async throws -> (status: Int, contentType: String?, body: String) {
    try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
        let response = try await client.get(path)
        return (response.status.code, response.head.headerFields[.contentType],
                response.body.map { String(buffer: $0) } ?? "")
    }
}
