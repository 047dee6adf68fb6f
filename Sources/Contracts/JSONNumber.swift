import Foundation

/// A JSON number, compared by mathematical value.
///
/// JSON Schema treats `1` and `1.0` as the same value (for `enum`, `const`, `uniqueItems`) and
/// calls any number with an integral value an integer (`type: integer`), so equality, hashing
/// and ordering here follow the value, not the spelling. Integers that fit in `Int64` are kept
/// exactly (identifiers and counts must not lose digits); other numbers, including integers
/// beyond ±9.2e18, are kept as the nearest `Double`. Non-finite values cannot be represented,
/// because JSON has no spelling for them.
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    enum Storage: Sendable {
        case integer(Int64)
        case double(Double)  // always finite
    }

    let storage: Storage

    /// An exact integer.
    public init(_ value: Int64) {
        storage = .integer(value)
    }

    /// An exact integer.
    public init(_ value: Int) {
        storage = .integer(Int64(value))
    }

    /// A floating-point number; `nil` for NaN and the infinities, which JSON cannot spell.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        storage = .double(value)
    }

    /// The value as a `Double` (rounded for integers beyond 2^53).
    public var doubleValue: Double {
        switch storage {
        case .integer(let i): Double(i)
        case .double(let d): d
        }
    }

    /// The value as an `Int64`, if it is integral and in range.
    public var int64Value: Int64? {
        switch storage {
        case .integer(let i): i
        case .double(let d): Self.exactInt64(d)
        }
    }

    /// Whether the value is integral, as JSON Schema's `integer` type asks (`1.0` counts).
    public var isInteger: Bool {
        switch storage {
        case .integer: true
        case .double(let d): d.rounded(.towardZero) == d
        }
    }

    public var description: String {
        switch storage {
        case .integer(let i): String(i)
        case .double(let d): d.description
        }
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        compare(lhs, rhs) == 0
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        compare(lhs, rhs) < 0
    }

    public func hash(into hasher: inout Hasher) {
        // Integral values hash as integers so that 1 and 1.0 land in the same bucket.
        switch storage {
        case .integer(let i):
            hasher.combine(i)
        case .double(let d):
            if let i = Self.exactInt64(d) {
                hasher.combine(i)
            } else {
                hasher.combine(d)
            }
        }
    }

    /// Whether `self` is an integral multiple of `divisor` (which must be positive).
    ///
    /// Binary floating point gets `0.0075 / 0.0001` wrong, so non-integer cases are computed in
    /// decimal from the numbers' shortest spelling; a quotient too large for `Decimal` falls back
    /// to `Double`, where an overflow to infinity means "not a multiple".
    func isMultiple(of divisor: JSONNumber) -> Bool {
        if case .integer(let a) = storage, case .integer(let b) = divisor.storage, b != 0 {
            return a % b == 0
        }
        if let a = decimalValue, let b = divisor.decimalValue, !b.isZero {
            let quotient = a / b
            if quotient.isFinite, !quotient.isNaN {
                var q = quotient
                var whole = Decimal()
                NSDecimalRound(&whole, &q, 0, .plain)
                return whole == quotient
            }
        }
        let q = doubleValue / divisor.doubleValue
        guard q.isFinite else { return false }
        return q.rounded(.towardZero) == q
    }

    private var decimalValue: Decimal? {
        switch storage {
        case .integer(let i):
            return Decimal(i)
        case .double(let d):
            // Decimal covers exponents up to about ±127; beyond that its parser gives up.
            guard d == 0 || (abs(d) < 1e100 && abs(d) > 1e-100) else { return nil }
            return Decimal(string: d.description, locale: Self.posix)
        }
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    private static func exactInt64(_ d: Double) -> Int64? {
        guard d.rounded(.towardZero) == d, d >= -9_223_372_036_854_775_808.0,
            d < 9_223_372_036_854_775_808.0
        else { return nil }
        return Int64(d)
    }

    /// Exact three-way comparison, including `Int64` against `Double` beyond 2^53.
    private static func compare(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
        switch (lhs.storage, rhs.storage) {
        case (.integer(let a), .integer(let b)):
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.double(let a), .double(let b)):
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.integer(let a), .double(let b)):
            return compare(a, b)
        case (.double(let a), .integer(let b)):
            return -compare(b, a)
        }
    }

    private static func compare(_ i: Int64, _ d: Double) -> Int {
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let floor = d.rounded(.down)
        let f = Int64(floor)
        if i < f { return -1 }
        if i > f { return 1 }
        return d > floor ? -1 : 0
    }
}
