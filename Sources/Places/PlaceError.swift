/// Why an address or a coordinate could not be read. Names the field and the reason, never the
/// value: addresses are personal data.
public struct PlaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input field at fault: `line1`, `line2`, `city`, `state`, `postalCode`, `latitude`
    /// or `longitude`.
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
