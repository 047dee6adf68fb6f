import Contracts
import Notifications

/// Rule `supervisee-booked`: a jail booking (`police.booking.recorded` on `police.arrests`) of a
/// supervisee goes to the supervising officer (or, without one, the supervising agency) of
/// every case of the person — matched on state ID or FBI number — that covers the booking's day
/// (UTC), high priority, like `supervisee-arrested`. A booking follows an arrest the officer may
/// already know of; it says where the person is held, which the arrest does not.
enum SuperviseeBooked {
    static let rule = "supervisee-booked"

    /// The notifications `booking` calls for: one per audience (cases covering its day,
    /// subscriptions active at its time; the caller chose them).
    static func notifications(for booking: EventEnvelope<BookingRecorded>, audiences: [PoliceAudience]) -> [BusNotification] {
        audiences.map { BookingNotification.make(booking, for: $0) }
    }
}
