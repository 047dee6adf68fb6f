/// The `format` values we assert. Our events carry dates, timestamps and ids whose spelling
/// matters to every partner, so these three are checked; all other formats are annotations.
enum StringFormat: String, Sendable, CaseIterable {
    case date
    case dateTime = "date-time"
    case uuid

    /// What a valid value looks like, for violation messages.
    var expectation: String {
        switch self {
        case .date: "a date (RFC 3339 full-date, YYYY-MM-DD)"
        case .dateTime: "a date-time (RFC 3339, e.g. 2024-05-01T13:45:00Z or 2024-05-01T08:45:00-05:00)"
        case .uuid: "a UUID (8-4-4-4-12 hexadecimal digits)"
        }
    }

    func isValid(_ string: String) -> Bool {
        if let valid = string.utf8.withContiguousStorageIfAvailable({ isValid(utf8: $0) }) { return valid }
        return Array(string.utf8).withUnsafeBufferPointer { isValid(utf8: $0) }
    }

    func isValid(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .date:
            return bytes.count == 10 && Self.fullDate(bytes, 0)
        case .dateTime:
            return Self.dateTime(bytes)
        case .uuid:
            return Self.uuid(bytes)
        }
    }

    // MARK: RFC 3339

    /// `YYYY-MM-DD` at `start`, with a day that exists in that month (leap years included).
    private static func fullDate(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        guard start + 10 <= b.count, b[start + 4] == UInt8(ascii: "-"), b[start + 7] == UInt8(ascii: "-"),
            let year = digits(b, start, 4), let month = digits(b, start + 5, 2),
            let day = digits(b, start + 8, 2), (1...12).contains(month), day >= 1
        else { return false }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= daysInMonth[month - 1]
    }

    /// `full-date "T" full-time`, where full-time is `HH:MM:SS[.frac](Z|±HH:MM)`. `T` and `Z`
    /// may be lower case (RFC 3339 §5.6). A leap second (`:60`) is accepted only where it can
    /// occur: at 23:59:60 UTC once the offset is applied.
    private static func dateTime(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 20, fullDate(b, 0), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > fractionStart else { return false }
        }
        guard i < b.count else { return false }
        var offsetMinutes = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 <= b.count, b[i + 3] == UInt8(ascii: ":"),
                let offsetHour = digits(b, i + 1, 2), let offsetMinute = digits(b, i + 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return false
        }
        guard i == b.count else { return false }
        if second == 60 {
            let utcMinuteOfDay = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utcMinuteOfDay == 23 * 60 + 59
        }
        return true
    }

    // MARK: RFC 9562

    /// `8-4-4-4-12` hexadecimal digits, any case, any version or variant.
    private static func uuid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 36 else { return false }
        for (i, byte) in b.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard isHexDigit(byte) else { return false }
            }
        }
        return true
    }

    // MARK: Helpers

    /// The value of `count` ASCII digits at `start`, or `nil` if any byte is not one.
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var value = 0
        for i in start..<start + count {
            guard isDigit(b[i]) else { return nil }
            value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}
