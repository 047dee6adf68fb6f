import Settings
import Foundation
import Testing

/// A value that must never appear in anything printed: a report, an error, a log line.
let distinctiveSecret = "Zq9-SECRET-do-not-print-7731"

/// A notification key (hex, 32 bytes) whose text is just as distinctive.
let distinctiveNotificationKey = "5ec7e7" + String(repeating: "ab", count: 29) + "7731"

/// A fresh directory for one test's files, removed by `remove()`.
struct Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("reentrybus-config-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Resolves a configuration from a file text (if any), an environment and flags.
func resolve(
    file text: String? = nil, in scratch: Scratch, environment: [String: String] = [:], flags: (inout ConfigurationFlags) -> Void = { _ in }
) throws(ConfigurationError) -> BusConfiguration {
    var configurationFlags = ConfigurationFlags()
    if let text {
        do {
            configurationFlags.configurationFile = try scratch.write("reentrybus.yaml", text)
        } catch {
            Issue.record("cannot write the configuration file: \(error)")
        }
    }
    flags(&configurationFlags)
    return try BusConfiguration(flags: configurationFlags, environment: environment)
}

/// The error resolving gives, or nil (recording an issue) when it succeeds.
func resolutionError(
    file text: String? = nil, in scratch: Scratch, environment: [String: String] = [:], flags: (inout ConfigurationFlags) -> Void = { _ in },
    sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigurationError? {
    do {
        let configuration = try resolve(file: text, in: scratch, environment: environment, flags: flags)
        Issue.record("expected an error, got:\n\(configuration.report)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
