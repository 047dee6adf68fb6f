/// A position in the order the inbox stored notifications (`InboxStore.arrivals`): what the
/// channels that push follow. A notification that arrives after a follower read position n gets
/// a number above n, however long ago it occurred, so nothing that arrives late is skipped.
/// Opaque to clients (`CursorToken`): a stream event's `id:`, sent back as `Last-Event-ID`.
public struct ArrivalCursor: Sendable, Hashable, Comparable {
    /// The arrival number of the last notification read.
    public var arrival: Int64

    public init(arrival: Int64) {
        self.arrival = arrival
    }

    public var token: String { CursorToken.encode(["v1", "arrival", String(arrival)]) }

    /// Reads a token this gateway made; nil otherwise.
    public init?(token: String) {
        guard let fields = CursorToken.decode(token, maxLength: 64), fields.count == 3, fields[0] == "v1", fields[1] == "arrival",
              let arrival = Int64(fields[2]), arrival >= 0
        else { return nil }
        self.init(arrival: arrival)
    }

    public static func < (left: ArrivalCursor, right: ArrivalCursor) -> Bool { left.arrival < right.arrival }
}
