import Storage

/// The values bound to one statement, numbered `$1`, `$2`, … in the order they are added, so
/// that a statement with lists of any length (a person's keys, an order's cases) is built
/// without counting placeholders by hand. Each value gets its own placeholder.
struct SQLBindings {
    private(set) var values: [SQLValue] = []

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: SQLValue) -> String {
        values.append(value)
        return "$\(values.count)"
    }

    /// Binds each text and returns their placeholders, comma-separated (for `IN (…)`; the
    /// caller never passes an empty list: `IN ()` is not SQL).
    mutating func list(_ texts: [String]) -> String {
        texts.map { bind(.text($0)) }.joined(separator: ", ")
    }
}
