/// A secret setting (a SASL password, a TLS key password, the notification key, a database
/// password) as read from the environment or a file.
///
/// Its value is reachable only through `revealed`, at the one place that hands it to a client.
/// Everything that prints — `description`, `debugDescription`, string interpolation, `dump`,
/// reflection — shows `********`, so a secret cannot reach a log line or an error by accident.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// What every printed form shows instead of the value.
    public static let mask = "********"

    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// The value itself: only for handing to the client that needs it, never for printing.
    public var revealed: String { value }

    public var description: String { Self.mask }
    public var debugDescription: String { "Secret(\(Self.mask))" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
