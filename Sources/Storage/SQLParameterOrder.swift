/// The `$N` parameters of a statement in the order SQLite numbers them: the order in which
/// each name first appears (a name used again keeps its number), skipping string literals,
/// quoted identifiers and comments. SQLite numbers `$1 … $1 … $2` as parameters 1 and 2, and
/// `$2 … $1` as 1 (`$2`) and 2 (`$1`).
///
/// Only statements whose every parameter is `$` followed by digits are described: any other
/// parameter form (`?`, `:name`, `@name`, `$name`) makes the initializer return nil.
struct SQLParameterOrder: Equatable {
    /// For each SQLite parameter index (from 1), the `N` of its `$N`.
    var numbers: [Int]

    init?(_ sql: String) {
        var sql = sql
        // Every statement is scanned each time it runs: over the bytes, not Characters.
        guard let numbers = sql.withUTF8({ Self.scan($0) }) else { return nil }
        self.numbers = numbers
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int]? {
        var numbers: [Int] = []
        var largest = 0
        var index = 0
        let end = bytes.count
        while index < end {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // A literal or a quoted identifier; a doubled quote inside is an escaped one.
                while index < end {
                    let next = bytes[index]
                    index += 1
                    if next == byte {
                        if index < end, bytes[index] == byte { index += 1 } else { break }
                    }
                }
            case UInt8(ascii: "-") where index < end && bytes[index] == UInt8(ascii: "-"):
                while index < end, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where index < end && bytes[index] == UInt8(ascii: "*"):
                index += 1
                while index < end, !(bytes[index] == UInt8(ascii: "*") && index + 1 < end && bytes[index + 1] == UInt8(ascii: "/")) {
                    index += 1
                }
                index = min(index + 2, end)
            case UInt8(ascii: "$"):
                var number = 0
                var digits = 0
                while index < end, digits < 6, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    number = number * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                    digits += 1
                    index += 1
                }
                guard digits > 0, !(index < end && continuesName(bytes[index])) else { return nil }
                // A number above every one seen is new without a search: a statement of many rows
                // (`VALUES ($1, $2), ($3, $4), …`) is described in one pass, not in quadratic time.
                if number > largest || !numbers.contains(number) { numbers.append(number) }
                largest = max(largest, number)
            case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                // Another parameter form (or PostgreSQL's `::` cast, never sent to SQLite).
                return nil
            default:
                break
            }
        }
        return numbers
    }

    /// Whether `byte` would make `$12` part of a longer name (`$12a`), which SQLite reads as
    /// one parameter named `12a`.
    private static func continuesName(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte >= 0x80
    }
}
