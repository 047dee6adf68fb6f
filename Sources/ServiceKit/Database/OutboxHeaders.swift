import Kafka

/// How an outbox row keeps its message's headers (`kit_outbox.header_bytes`, from
/// servicekit-v3): each header as its key's length (4 bytes, big-endian), the key's UTF-8 bytes,
/// its value's length (4 bytes, big-endian; `0xFFFFFFFF` for a header without value) and the
/// value's bytes.
///
/// Byte for byte, so a dead letter keeps the binary header values of the message it copies;
/// the JSON text of servicekit-v1 (`kit_outbox.headers`, still read for rows written before
/// v3) kept only values that were valid UTF-8. Written for every message the services send,
/// so it is a plain loop over bytes, not an encoder.
enum OutboxHeaders {
    private static let absent: UInt32 = .max

    static func encode(_ headers: [KafkaHeader]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headers.reduce(0) { $0 + 8 + $1.key.utf8.count + ($1.value?.count ?? 0) })
        for header in headers {
            append(UInt32(header.key.utf8.count), to: &bytes)
            bytes.append(contentsOf: header.key.utf8)
            if let value = header.value {
                append(UInt32(value.count), to: &bytes)
                bytes.append(contentsOf: value)
            } else {
                append(absent, to: &bytes)
            }
        }
        return bytes
    }

    /// - Throws: `OutboxHeadersError` naming the offset where `bytes` stop making sense.
    static func decode(_ bytes: [UInt8]) throws(OutboxHeadersError) -> [KafkaHeader] {
        var headers: [KafkaHeader] = []
        var index = 0
        func length() throws(OutboxHeadersError) -> UInt32 {
            guard bytes.count - index >= 4 else { throw OutboxHeadersError(offset: index, reason: "a length is cut short") }
            let value = bytes[index..<index + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            index += 4
            return value
        }
        func take(_ count: UInt32) throws(OutboxHeadersError) -> ArraySlice<UInt8> {
            guard UInt64(bytes.count - index) >= UInt64(count) else {
                throw OutboxHeadersError(offset: index, reason: "length \(count) announced, \(bytes.count - index) bytes left")
            }
            defer { index += Int(count) }
            return bytes[index..<index + Int(count)]
        }
        while index < bytes.count {
            let keyStart = index
            guard let key = String(validating: try take(try length()), as: UTF8.self) else {
                throw OutboxHeadersError(offset: keyStart, reason: "a header key is not UTF-8")
            }
            let valueLength = try length()
            headers.append(KafkaHeader(key: key, value: valueLength == absent ? nil : Array(try take(valueLength))))
        }
        return headers
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                                  UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)])
    }
}

/// Stored outbox headers that cannot be read back (a damaged row).
struct OutboxHeadersError: Error, Sendable, CustomStringConvertible {
    var offset: Int
    var reason: String
    var description: String { "unreadable outbox headers at byte \(offset): \(reason)" }
}
