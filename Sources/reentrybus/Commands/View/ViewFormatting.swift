import Contracts
import Foundation

/// How a `view` table writes the values it shows: names family first, days as YYYY-MM-DD,
/// times in UTC to the minute, lists joined by commas.
enum ViewFormat {
    static func name(_ name: PersonName?) -> String {
        guard let name else { return "(no name)" }
        return [name.family, [name.given, name.middle].compactMap { $0 }.joined(separator: " ")]
            .filter { !$0.isEmpty }.joined(separator: ", ")
    }

    static func person(_ name: PersonName?, stateId: String?, fbiNumber: String?) -> String {
        let id = stateId.map { "state ID \($0)" } ?? fbiNumber.map { "FBI \($0)" } ?? "no identifier"
        return "\(self.name(name)) (\(id))"
    }

    static func day(_ date: Date) -> String {
        dayFormatter().string(from: date)
    }

    /// YYYY-MM-DD in UTC (a new formatter each time: formatters are not Sendable).
    static func dayFormatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter
    }

    static func minute(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm'Z'"
        return formatter.string(from: date)
    }

    static func address(_ address: Address?) -> String {
        guard let address else { return "" }
        return [address.line1, address.line2, "\(address.city), \(address.state)"].compactMap { $0 }.joined(separator: ", ")
    }

    static func list(_ items: [String]) -> String { items.isEmpty ? "-" : items.joined(separator: ", ") }
}
