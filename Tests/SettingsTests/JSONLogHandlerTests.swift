import Settings
import Foundation
import Logging
import TestSupport
import Testing

/// `log.format: json`: one JSON object per line, whatever the message holds.
@Suite("JSON log format") struct JSONLogHandlerTests {
    /// Logs through a JSON handler and returns the lines written.
    private func lines(_ body: (Logger) -> Void) -> [String] {
        let written = Observed<[String]>([])
        var logger = Logger(label: "reentrybus.router") { label in
            JSONLogHandler(label: label) { line in written.update { $0.append(line) } }
        }
        logger.logLevel = .debug
        logger[metadataKey: "service"] = "router"
        body(logger)
        return written.value
    }

    private func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any], "not a JSON object: \(line)")
    }

    @Test func eachRecordIsOneJSONObjectOnOneLine() throws {
        let written = lines { logger in
            logger.info("Batch committed", metadata: ["events": "12", "topics": .array(["police.arrests", "bus.notifications"])])
            logger.warning("A message with\na line break, a \"quote\", a tab\t and a \u{1} control", metadata: ["nested": .dictionary(["a": "1"])])
            logger.trace("below the level")
            logger.error("Plain")
        }
        #expect(written.count == 3)
        for line in written {
            #expect(line.hasSuffix("\n"))
            #expect(line.dropLast().contains("\n") == false, "one line per record: \(line)")
        }
        let first = try object(written[0])
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "reentrybus.router")
        #expect(first["message"] as? String == "Batch committed")
        let metadata = try #require(first["metadata"] as? [String: Any])
        #expect(metadata["events"] as? String == "12")
        #expect(metadata["service"] as? String == "router", "the logger's own metadata is included")
        #expect(metadata["topics"] as? [String] == ["police.arrests", "bus.notifications"])
        let timestamp = try #require(first["timestamp"] as? String)
        #expect(timestamp.hasSuffix("Z"))
        #expect((try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(timestamp)) != nil, "\(timestamp)")

        let second = try object(written[1])
        #expect(second["message"] as? String == "A message with\na line break, a \"quote\", a tab\t and a \u{1} control")
        #expect((second["metadata"] as? [String: Any])?["nested"] as? [String: String] == ["a": "1"])
        let third = try object(written[2])
        #expect(third["level"] as? String == "error")
        #expect((third["metadata"] as? [String: Any])?.count == 1)
    }

    @Test func theFormatIsChosenByTheSetting() throws {
        #expect(LogFormat.json.makeHandler(label: "x") is JSONLogHandler)
        #expect(LogFormat.text.makeHandler(label: "x") is StreamLogHandler)
        let logger = LogSettings(level: .warning, format: .json).logger(label: "x")
        #expect(logger.logLevel == .warning)
        #expect(logger.handler is JSONLogHandler)
    }

    /// `dev` and `broker` read the log settings from their flags and the environment only.
    @Test func logSettingsWithoutAFileTakeFlagOverEnvironment() throws {
        let environment = ["REENTRYBUS_LOG_LEVEL": "debug", "REENTRYBUS_LOG_FORMAT": "json", "REENTRYBUS_KAFKA_SASL_PASSWORD": distinctiveSecret]
        #expect(try LogSettings(level: nil, format: nil, environment: environment) == LogSettings(level: .debug, format: .json))
        #expect(try LogSettings(level: "error", format: "text", environment: environment) == LogSettings(level: .error, format: .text))
        #expect(throws: ConfigurationError.invalidValue(key: .logFormat, source: .environment("REENTRYBUS_LOG_FORMAT"), reason: "must be text or json")) {
            try LogSettings(level: nil, format: nil, environment: ["REENTRYBUS_LOG_FORMAT": "yaml"])
        }
    }
}
