import Contracts
import Foundation
import ServiceKit

/// One tick of the bus's clock (`bus.timers`): the start of a UTC minute the scheduler reached.
///
/// Rules that depend on time (60 days before a release, 15 minutes without an acknowledgement,
/// a feed silent past its cadence) take a tick's `at` as "now" and never read a wall clock, so
/// a replay of the same topics sees the same ticks between the same events and decides alike.
/// Ticks may skip minutes (a scheduler that was down does not make up for them): a rule acts on
/// everything due at or before `at`.
public struct TimerTick: Sendable, Hashable, Codable {
    public static let topic = BusTopic.timers
    public static let eventType = "bus.timer.ticked"
    public static let schemaVersion = 1
    /// The only clock: one tick a minute. Also the message key.
    public static let minuteClock = "minute"

    /// Derived from the clock and the instant (``id(clock:at:)``), so two schedulers writing the
    /// same minute write the same id and readers keep one.
    public var id: String
    public var clock: String
    /// The start of a UTC minute.
    public var at: Date

    /// The tick for the minute that contains `instant` (its start: seconds dropped).
    public init(minuteOf instant: Date) {
        let seconds = (instant.timeIntervalSince1970 / 60).rounded(.down) * 60
        at = Date(timeIntervalSince1970: seconds)
        clock = Self.minuteClock
        id = Self.id(clock: clock, at: at)
    }

    /// `at` in milliseconds since 1970, the unit the services store times in.
    public var atMilliseconds: Int64 { Int64((at.timeIntervalSince1970 * 1000).rounded()) }

    /// A UUID-shaped id (version 8) from SHA-256 of the clock and the instant.
    public static func id(clock: String, at: Date) -> String {
        SHA256.derivedUUID("reentrybus.timer\u{0}\(clock)\u{0}\(EventCodec.formatInstant(at))")
    }

    /// The message value: sorted members, an RFC 3339 instant.
    public func encoded() -> [UInt8] {
        Array("{\"at\":\"\(EventCodec.formatInstant(at))\",\"clock\":\"\(clock)\",\"id\":\"\(id)\"}".utf8)
    }

    /// Reads an admitted `bus.timer.ticked` message. The runtime has checked it against the
    /// contract; a tick whose id is not the one its clock and instant give is refused, so a
    /// forged or mistyped tick cannot stand for another minute.
    public static func decode(_ event: AdmittedEvent) throws(PoisonMessage) -> TimerTick {
        let tick: TimerTick
        do {
            tick = try EventCodec.decodeJSON(TimerTick.self, from: event.value)
        } catch {
            throw PoisonMessage(reason: "a bus.timer.ticked message does not decode: \(error)")
        }
        guard tick.clock == minuteClock else { throw PoisonMessage(reason: "$.clock: only the minute clock ticks") }
        guard tick.id == id(clock: tick.clock, at: tick.at) else {
            throw PoisonMessage(reason: "$.id: not the id its clock and instant give")
        }
        return tick
    }
}
