/// Single-row inserts a PostgreSQL transaction was given to send without waiting
/// (``StorageTransaction/send(_:_:)``), held so that the rows of one statement are written
/// several to a statement: on PostgreSQL every statement is a round trip, and a batch of a
/// projection's events sends the same few inserts again at each event.
///
/// Holding a row may change only *when* it is written, never what the transaction ends up
/// with. So a row is held only when writing it later, beside rows of the same statement that
/// were given before and after it, is the same as writing it now:
/// - its statement is ``Form``: one table, one row of `$1 … $n`, a tail without parameters
///   (plain, `ON CONFLICT … DO NOTHING`, or `ON CONFLICT (key) DO UPDATE …`);
/// - its table has no foreign key either way and no trigger of its own (the caller says so):
///   rows of two tables may be written in another order than given;
/// - no other statement on its table is held (a row goes after every earlier row of its
///   table);
/// - for `DO UPDATE`, no held row of the statement has its key (one statement cannot update a
///   row twice; one after the other each update applies).
///
/// Held rows are written (the caller calls ``take(for:)`` or ``take()``) before any other
/// statement that names their table (a read, an update, a delete, an insert of another form;
/// a table named by a statement cannot be read or written by it otherwise, as no held table
/// has a foreign key or trigger), everything held before a statement naming a table that is
/// written in order (which may fire a trigger, or be a view), and everything at a savepoint's
/// start and end and before the commit. Each table's rows keep their order; rows of two
/// tables are not ordered against each other, which nothing can tell apart.
struct HeldInserts {
    /// A single-row insert whose rows can be written several to a statement.
    struct Form: Sendable {
        /// The table's name, lower case.
        let table: String
        /// `INSERT INTO table (c1, …, cn) VALUES `
        let head: String
        /// What follows the row: empty or `ON CONFLICT …`, without parameters.
        let tail: String
        /// Values a row (the columns named).
        let width: Int
        /// For `ON CONFLICT (…) DO UPDATE`: where the conflict key's columns stand in a row.
        let updateKey: [Int]?

        /// The form of `sql`, or nil when its rows cannot be written together.
        init?(_ sql: String) {
            // No comment (the text's line breaks become spaces), no quoted literal or name.
            guard !sql.contains("--"), !sql.contains("/*"), !sql.contains("'"), !sql.contains("\"") else { return nil }
            let text = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard text.hasPrefix("INSERT INTO "), !text.contains("RETURNING") else { return nil }
            var rest = Substring(text.dropFirst("INSERT INTO ".count))
            guard let table = Self.identifier(&rest), !table.isEmpty else { return nil }
            rest = rest.drop { $0 == " " }
            guard let columns = Self.list(&rest), columns.allSatisfy(Self.isIdentifier) else { return nil }
            guard rest.hasPrefix(" VALUES ") else { return nil }
            rest = rest.dropFirst(" VALUES ".count)
            guard let values = Self.list(&rest), values == (1...max(1, columns.count)).map({ "$\($0)" }), values.count == columns.count
            else { return nil }
            let tail = String(rest).trimmingPrefixSpaces
            guard !tail.contains("$") else { return nil }
            var updateKey: [Int]?
            if tail.isEmpty || tail == "ON CONFLICT DO NOTHING" {
                updateKey = nil
            } else {
                guard tail.hasPrefix("ON CONFLICT (") else { return nil }
                var conflict = Substring(tail.dropFirst("ON CONFLICT ".count))
                guard let key = Self.list(&conflict) else { return nil }
                let action = conflict.trimmingPrefixSpaces
                if action == "DO NOTHING" {
                    updateKey = nil
                } else {
                    guard action.hasPrefix("DO UPDATE SET "), Self.readsOnlyItsRows(action) else { return nil }
                    let positions = key.compactMap { columns.firstIndex(of: $0) }
                    guard positions.count == key.count, !positions.isEmpty else { return nil }
                    updateKey = positions
                }
            }
            self.table = table.lowercased()  // as PostgreSQL folds an unquoted name
            head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            self.tail = tail.isEmpty ? "" : " " + tail
            width = columns.count
            self.updateKey = updateKey
        }

        /// The statement for `rows` rows.
        func sql(rows: Int) -> String {
            var sql = head
            for row in 0..<rows {
                sql += row == 0 ? "(" : ", ("
                sql += (1...width).map { "$\(row * width + $0)" }.joined(separator: ", ")
                sql += ")"
            }
            return sql + tail
        }

        /// Whether an update's `SET … WHERE …` reads only the conflicting row and `excluded`:
        /// no subquery, and no function but the ones that compute from their arguments alone
        /// (a subquery would not see the rows before it in the same statement, and a volatile
        /// function would give each row a value of its own).
        private static func readsOnlyItsRows(_ action: String) -> Bool {
            let words = HeldInserts.words(in: action)
            guard !words.contains("select") else { return false }
            let allowedBeforeParenthesis: Set<String> = ["", "and", "or", "not", "in", "when", "then", "else", "coalesce", "greatest", "least", "nullif"]
            var word = ""
            var lastWord = ""
            for character in action.lowercased() {
                if character.isASCII && (character.isLetter || character.isNumber || character == "_") {
                    word.append(character)
                    continue
                }
                if !word.isEmpty { lastWord = word; word = "" }
                if character == "(" {
                    guard allowedBeforeParenthesis.contains(lastWord) else { return false }
                } else if character != " " {
                    lastWord = ""  // an operator or a comma: what follows is not a call
                }
            }
            return true
        }

        private static func isIdentifier(_ text: String) -> Bool {
            !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }

        /// Reads an identifier at the start of `text`.
        private static func identifier(_ text: inout Substring) -> String? {
            let name = text.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            text = text.dropFirst(name.count)
            return String(name)
        }

        /// Reads `(a, b, …)` at the start of `text` (no parentheses inside), its items trimmed.
        private static func list(_ text: inout Substring) -> [String]? {
            guard text.first == "(", let close = text.firstIndex(of: ")") else { return nil }
            let inside = text[text.index(after: text.startIndex)..<close]
            guard !inside.contains("(") else { return nil }
            text = text[text.index(after: close)...]
            return inside.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingPrefixSpaces.trimmingSuffixSpaces }
        }
    }

    private struct Group {
        let sql: String
        let form: Form
        var rows: [[SQLValue]] = []
        /// The `DO UPDATE` keys of the rows held.
        var keys: Set<[SQLValue]> = []
    }

    /// Held statements in the order they were first given.
    private var groups: [Group] = []
    /// The group holding rows of each table.
    private var tables: [String: Int] = [:]

    var isEmpty: Bool { groups.isEmpty }

    /// Holds `row` of `sql` (whose form is `form`); false when what is held must be written
    /// first (another statement's rows of the same table, or a `DO UPDATE` row of the same key),
    /// after which it can be held.
    mutating func hold(_ row: [SQLValue], of sql: String, form: Form) -> Bool {
        precondition(row.count == form.width, "a row of \(form.width) values")
        let key = form.updateKey.map { $0.map { row[$0] } }
        if let index = tables[form.table] {
            guard groups[index].sql == sql else { return false }
            if let key {
                guard groups[index].keys.insert(key).inserted else { return false }
            }
            groups[index].rows.append(row)
            return true
        }
        var group = Group(sql: sql, form: form, rows: [row])
        if let key { group.keys.insert(key) }
        tables[form.table] = groups.count
        groups.append(group)
        return true
    }

    /// The statements that write the rows of the held tables `sql` names (all held rows when
    /// it names a table of `inOrder`), which are held no longer. A table is named where its
    /// name stands between characters that cannot be part of a name.
    mutating func take(for sql: String, inOrder: Set<String>) -> [(sql: String, arguments: [SQLValue])] {
        guard !groups.isEmpty else { return [] }
        let names = Self.words(in: sql)
        if !names.isDisjoint(with: inOrder) { return take() }
        let named = groups.indices.filter { names.contains(groups[$0].form.table) }
        guard !named.isEmpty else { return [] }
        let statements = Self.statements(named.map { groups[$0] })
        groups = groups.indices.filter { !named.contains($0) }.map { groups[$0] }
        tables = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1.form.table, $0) })
        return statements
    }

    /// The statements that write everything held, in the order their inserts were first given;
    /// nothing is held afterwards.
    mutating func take() -> [(sql: String, arguments: [SQLValue])] {
        defer {
            groups = []
            tables = [:]
        }
        return Self.statements(groups)
    }

    /// The words of `sql` that could be names, lower case (PostgreSQL folds unquoted names).
    static func words(in sql: String) -> Set<String> {
        Set(sql.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }.map(String.init))
    }

    /// The groups' rows, a statement a chunk (``MultiRowStatement/chunks(of:largest:)``: up to
    /// 512 rows, fewer for rows so wide that PostgreSQL's 65,535 values a statement would not
    /// hold 512).
    private static func statements(_ groups: [Group]) -> [(sql: String, arguments: [SQLValue])] {
        groups.flatMap { group in
            let fitting = max(1, min(MultiRowStatement.largestChunk, 65_535 / max(1, group.form.width)))
            let largest = 1 << (Int.bitWidth - 1 - fitting.leadingZeroBitCount)
            return MultiRowStatement.chunks(of: group.rows, largest: largest).map { rows in
                (rows.count == 1 ? group.sql : group.form.sql(rows: rows.count), rows.flatMap { $0 })
            }
        }
    }
}

extension StringProtocol {
    fileprivate var trimmingPrefixSpaces: String { String(drop { $0 == " " }) }
    fileprivate var trimmingSuffixSpaces: String {
        var text = String(self)
        while text.last == " " { text.removeLast() }
        return text
    }
}
