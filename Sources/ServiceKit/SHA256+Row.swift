import Storage

extension SHA256 {
    /// Adds every column of `row` (name, type and value; bytes byte for byte) to the digest.
    public mutating func update(row: StorageRow) {
        for (column, value) in zip(row.columns, row.values) {
            update(column)
            update([0])
            switch value {
            case .null: update("N")
            case .integer(let number): update("I\(number)")
            case .real(let number): update("D\(number)")
            case .text(let text): update("S\(text.utf8.count):"); update(text)
            case .bytes(let bytes): update("B\(bytes.count):"); update(bytes)
            }
            update([0])
        }
        update([1])
    }
}
