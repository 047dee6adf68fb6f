/// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF, no
/// truncated sequence. Import files are checked whole before anything is read from them, so a
/// byte that is not UTF-8 is reported, never replaced with U+FFFD and published.
enum UTF8Validation {
    /// Offset of the first byte that does not belong to a valid sequence, or `nil`.
    static func firstInvalidByte(in bytes: [UInt8]) -> Int? {
        var i = 0
        let count = bytes.count
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // bounds of the second byte
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F  // U+D800…U+DFFF are surrogates
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
            default: return i
            }
            guard i + 1 < count, (low...high).contains(bytes[i + 1]) else { return i }
            for k in 2..<length {
                guard i + k < count, (0x80...0xBF).contains(bytes[i + k]) else { return i }
            }
            i += length
        }
        return nil
    }
}
