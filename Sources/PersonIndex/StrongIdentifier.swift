import Placeholders

/// An identifier that names one person wherever it appears, within its scope: a state ID or an
/// FBI number everywhere, a DOC number within the state that issued it, a booking or RMS
/// number within the agency (record source) that assigned it. Two records sharing one are
/// linked without scoring. Values are compared upper-case, letters and digits only
/// ("12-345 a" = "12345A"); a placeholder ("UNKNOWN", "000000000") is no identifier.
public enum StrongIdentifier: Sendable, Hashable, CustomStringConvertible {
    case stateId(String)
    case fbiNumber(String)
    case docNumber(state: String, number: String)
    case bookingNumber(source: String, number: String)
    case rmsNumber(source: String, number: String)

    /// Every strong identifier of `record`, normalised; empty values are left out.
    public static func all(of record: PersonRecord) -> [StrongIdentifier] {
        let ids = record.identifiers
        var result: [StrongIdentifier] = []
        if let value = normalised(ids.stateId) { result.append(.stateId(value)) }
        if let value = normalised(ids.fbiNumber) { result.append(.fbiNumber(value)) }
        if let value = normalised(ids.docNumber), let state = normalised(ids.docState) {
            result.append(.docNumber(state: state, number: value))
        }
        if let value = normalised(ids.bookingNumber) { result.append(.bookingNumber(source: record.source, number: value)) }
        if let value = normalised(ids.rmsNumber) { result.append(.rmsNumber(source: record.source, number: value)) }
        return result
    }

    /// The kind and scope without the value: two records with the same scope but different
    /// values disagree (different people, or an error), for the kinds where one person has
    /// one value (state ID, FBI number, DOC number in a state; not bookings, which repeat).
    var scope: String? {
        switch self {
        case .stateId: "state"
        case .fbiNumber: "fbi"
        case .docNumber(let state, _): "doc:\(state)"
        case .bookingNumber, .rmsNumber: nil
        }
    }

    /// Whether two records' identifiers name two people: they share none, and carry different
    /// values of a kind one person has one of (a state ID, an FBI number, a DOC number of one
    /// state).
    public static func disagree(_ a: [StrongIdentifier], _ b: [StrongIdentifier]) -> Bool {
        RecordComparison.identifierLevel(a, b) == 0
    }

    /// A blocking and linking key naming the kind, scope and value.
    public var description: String {
        switch self {
        case .stateId(let value): "state:\(value)"
        case .fbiNumber(let value): "fbi:\(value)"
        case .docNumber(let state, let number): "doc:\(state):\(number)"
        case .bookingNumber(let source, let number): "booking:\(source):\(number)"
        case .rmsNumber(let source, let number): "rms:\(source):\(number)"
        }
    }

    /// Upper-case letters and digits; nil for no value, or one that says "no number"
    /// ("UNKNOWN", "NONE", zeros: `PersonNumberPlaceholder`), which would link strangers.
    static func normalised(_ value: String?) -> String? {
        guard let value, !PersonNumberPlaceholder.isPlaceholder(value) else { return nil }
        let kept = String(value.uppercased().unicodeScalars.filter { ($0.value >= 48 && $0.value <= 57) || ($0.value >= 65 && $0.value <= 90) })
        return kept.isEmpty ? nil : kept
    }
}
