import Contracts
import Foundation

extension DemoScenario {
    /// Missouri cities, for scenarios that spread people over several places.
    public static let missouriCities = [
        "Kansas City", "St. Louis", "Springfield", "Columbia", "Independence", "Lees Summit", "OFallon", "St. Joseph",
        "St. Charles", "Blue Springs", "Joplin", "Chesterfield", "Jefferson City", "Cape Girardeau", "Florissant", "Wentzville",
    ]

    /// The name of the `index`th place: a Missouri city, past the list "Town N".
    public static func placeName(_ index: Int) -> String {
        index < missouriCities.count ? missouriCities[index] : "Town \(index)"
    }

    /// An address for person `person` in one of `places` places (taken in turn).
    ///
    /// Notifications are keyed by their recipient, so all of one place's police land in one
    /// partition; large scenarios spread people over enough places that no partition outgrows
    /// what a broker keeps (the embedded broker keeps about 5 MiB a partition and silently
    /// drops older messages: shared/notes/embedded-broker.md).
    public static func address(person: Int, among places: Int) -> Address {
        Address(line1: "\(100 + person % 9_000) Main St", city: placeName(person % max(1, places)), state: "MO",
                postalCode: "6\(String(format: "%04d", person % 10_000))")
    }
}
