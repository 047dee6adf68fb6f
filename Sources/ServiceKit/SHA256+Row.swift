import Foundation
import GRDB

extension SHA256 {
    /// Adds every column of `row` (name, type and value; blobs byte for byte) to the digest.
    public mutating func update(row: Row) {
        for (column, value) in row {
            update(column)
            update([0])
            switch value.storage {
            case .null: update("N")
            case .int64(let number): update("I\(number)")
            case .double(let number): update("D\(number)")
            case .string(let text): update("S\(text.utf8.count):"); update(text)
            case .blob(let data): update("B\(data.count):"); update(data)
            }
            update([0])
        }
        update([1])
    }
}
