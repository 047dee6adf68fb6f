import Foundation

/// Splits a script of several statements at its `;`s, outside quotes and comments, for
/// PostgreSQL: postgres-nio sends every statement as an extended query, one command each.
///
/// Handles '…' strings (with '' inside), "…" identifiers, `--` and `/* */` comments. Not
/// dollar-quoted bodies (`$$ … $$`): shared scripts declare no functions.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var characters = script.makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return characters.next()
        }
        while let character = next() {
            switch character {
            case "'", "\"":
                current.append(character)
                while let inner = next() {
                    current.append(inner)
                    if inner == character { break }  // '' reads as two strings back to back: same text
                }
            case "-":
                let following = next()
                if following == "-" {
                    while let inner = next(), inner != "\n" {}
                    current.append("\n")
                } else {
                    current.append(character)
                    pending = following
                }
            case "/":
                let following = next()
                if following == "*" {
                    var previous: Character?
                    while let inner = next() {
                        if previous == "*" && inner == "/" { break }
                        previous = inner
                    }
                    current.append(" ")
                } else {
                    current.append(character)
                    pending = following
                }
            case ";":
                statements.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
