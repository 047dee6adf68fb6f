import Foundation
import Logging

/// How log lines are written to standard error.
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's stream format, for people reading a terminal.
    case text
    /// One JSON object per line (`JSONLogHandler`), for log collectors.
    case json

    /// A handler writing in this format to standard error.
    public func makeHandler(label: String) -> any LogHandler {
        switch self {
        case .text: StreamLogHandler.standardError(label: label)
        case .json: JSONLogHandler(label: label)
        }
    }

    /// A logger at `level` writing in this format to standard error. Loggers derived from it
    /// (passed to the services and the Kafka clients) keep the format.
    public func makeLogger(label: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: label) { label in self.makeHandler(label: label) }
        logger.logLevel = level
        return logger
    }
}
