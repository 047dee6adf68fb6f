import Contracts
import Foundation
import Places

/// The address an officer is about to visit, as a contract's address (from another system) or
/// as typed on one line (`--address "4410 Troost Ave Apt 2, Kansas City, MO 64110"`).
public enum VisitAddress: Sendable, Hashable {
    case postal(Address)
    case text(String)

    /// Its normalised key.
    ///
    /// A line is read as `street line[, unit line], city, state[ ZIP]` (commas between the
    /// parts), or `street line[, unit line], city ST[ ZIP]` with the state's two-letter code
    /// after the city.
    ///
    /// - Throws: `PlaceError` naming `address` when the line has too few parts, or the part
    ///   ``AddressKey`` could not read.
    public func key() throws(PlaceError) -> AddressKey {
        switch self {
        case .postal(let address):
            return try AddressKey(line1: address.line1, line2: address.line2, city: address.city, state: address.state, postalCode: address.postalCode)
        case .text(let text):
            return try Self.key(oneLine: text)
        }
    }

    /// The coordinates a contract address carries.
    var coordinates: Coordinates? {
        if case .postal(let address) = self { return address.coordinates }
        return nil
    }

    private static let expected = "must read \"street, city, state ZIP\" (e.g. \"4410 Troost Ave Apt 2, Kansas City, MO 64110\")"

    private static func key(oneLine text: String) throws(PlaceError) -> AddressKey {
        var parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard parts.count >= 2 else { throw PlaceError(field: "address", reason: expected) }
        var last = words(parts.removeLast())
        var zip: String?
        if let word = last.last, isZIP(word) {
            zip = word
            last.removeLast()
        }
        if last.isEmpty {
            guard parts.count >= 2 else { throw PlaceError(field: "address", reason: expected) }
            last = words(parts.removeLast())
        }
        // "City ST": a last part of several words ending in a two-letter code (no state's
        // name ends in a two-letter word); otherwise the last part is the state alone.
        let state: String
        let city: String
        if last.count >= 2, let code = last.last, code.count == 2 {
            state = code
            city = last.dropLast().joined(separator: " ")
        } else {
            guard parts.count >= 2 else { throw PlaceError(field: "address", reason: expected) }
            state = last.joined(separator: " ")
            city = parts.removeLast()
        }
        let line2 = parts.count > 1 ? parts.dropFirst().joined(separator: " ") : nil
        return try AddressKey(line1: parts[0], line2: line2, city: city, state: state, postalCode: zip)
    }

    private static func words(_ part: String) -> [String] {
        part.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// `64110`, `64110-1234` or `641101234`.
    private static func isZIP(_ word: String) -> Bool {
        let digits = word.filter { $0 != "-" }
        return (digits.count == 5 || digits.count == 9) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
