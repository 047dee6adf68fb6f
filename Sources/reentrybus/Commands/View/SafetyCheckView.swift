import ArgumentParser
import Contracts
import Foundation
import ReadModels

/// `reentrybus view safety-check --address "…" [--radius 500m]`: before a home visit, the open
/// investigations and recent violent incidents at or around the address, and whether the
/// people registered there are named in them.
struct SafetyCheckView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safety-check",
        abstract: "Before a visit: open investigations whose area holds the address, violent incidents near it, and who lives there.",
        discussion: """
            The address is one line: "street, city, state ZIP" (e.g. "4410 Troost Ave Apt 2, Kansas City, MO 64110"); \
            it is compared in its USPS form, so St/Street, N/North, Apt/Unit/# and case do not matter. Its coordinates \
            are --lat/--lon, else those of events recorded at the same address; without any, investigation areas and \
            the radius cannot be checked and the output says so. Incidents count from 30 days before --as-of. \
            Investigations and incidents that name someone registered at the address are listed wherever they are.
            """)

    @Option(help: ArgumentHelp("The address to be visited, on one line.", valueName: "address"))
    var address: String

    @Option(help: ArgumentHelp("Incidents within this distance: 500m, 1km, 0.5mi (at most 50km).", valueName: "distance"))
    var radius = SafetyRadius(meters: 500)

    @Option(parsing: .unconditional, help: ArgumentHelp("The address's latitude (WGS 84 degrees), with --lon.", valueName: "degrees"))
    var lat: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("The address's longitude (WGS 84 degrees), with --lat; -94.57 is west.", valueName: "degrees"))
    var lon: Double?

    @OptionGroup var options: ViewOptions

    func validate() throws {
        guard (lat == nil) == (lon == nil) else { throw ValidationError("--lat and --lon go together: give both or neither.") }
        do {
            try SafetyStore.validate(address: .text(address), coordinates: coordinates, radiusMeters: radius.meters)
        } catch {
            throw Self.refusal(error)
        }
    }

    func run() async throws {
        let asOf = try options.moment()
        let (visit, coordinates, metres) = (VisitAddress.text(address), coordinates, radius.meters)
        let result = try options.read { transaction -> SafetyCheckResult in
            do {
                return try SafetyStore().check(address: visit, coordinates: coordinates, radiusMeters: metres, asOf: asOf, in: transaction)
            } catch let error as SafetyCheckError {
                throw Self.refusal(error)
            }
        }
        try await options.disclose(result, resource: "view.safety-check") { SafetyCheckText(result).render() }
    }

    private var coordinates: Coordinates? {
        lat.flatMap { lat in lon.map { Coordinates(latitude: lat, longitude: $0) } }
    }

    /// A refused question, naming the flag at fault.
    private static func refusal(_ error: SafetyCheckError) -> ValidationError {
        let flag = ["address": "--address", "latitude": "--lat", "longitude": "--lon", "radiusMeters": "--radius"][error.field]
        return ValidationError("\(flag ?? error.field) \(error.reason).")
    }
}

/// A `--radius`: metres (`500m` or `500`), kilometres (`1km`) or miles (`0.5mi`), rounded to
/// the metre, from 1 m to the check's maximum.
struct SafetyRadius: ExpressibleByArgument {
    let meters: Int

    init(meters: Int) { self.meters = meters }

    var defaultValueDescription: String { "\(meters)m" }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, meters: Double)] = [("km", 1_000), ("mi", 1_609.344), ("m", 1)]
        let unit = units.first { text.hasSuffix($0.suffix) } ?? ("", 1)
        guard let value = Double(text.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        let meters = (value * unit.meters).rounded()
        guard meters >= 1, meters <= Double(SafetyStore.maximumRadiusMeters) else { return nil }
        self.meters = Int(meters)
    }
}

/// The check as text: the address and where its coordinates came from, then who lives there,
/// the investigations and the incidents, each as a table.
private struct SafetyCheckText {
    let result: SafetyCheckResult

    init(_ result: SafetyCheckResult) { self.result = result }

    func render() -> String {
        var text = "Safety check of \(result.address) as of \(ViewFormat.minute(result.asOf))\n"
        if let coordinates = result.coordinates {
            let from = result.coordinatesFrom == .given ? "given" : "from events recorded at this address"
            text += "Coordinates \(coordinates.latitude), \(coordinates.longitude) (\(from)); radius \(result.radiusMeters) m\n\n"
        } else {
            text += "No coordinates are known for this address: investigation areas and the radius were NOT checked; "
                + "only what is recorded at this address or names its residents is listed (give --lat and --lon).\n\n"
        }
        return text + residents() + "\n" + investigations() + "\n" + incidents()
    }

    private func residents() -> String {
        var table = TextTable("PERSON", "REGISTERED AS", "CASE", "ADDRESS", "NAMED IN")
        for resident in result.residents {
            let named = result.investigations.filter { $0.namedResidents.contains { $0.resident == resident } }.map(\.investigationId)
                + result.incidents.filter { $0.namedResidents.contains { $0.resident == resident } }.map(\.incidentId)
            table.add(
                resident.kind == .supervisee
                    ? ViewFormat.person(resident.name, stateId: resident.stateId, fbiNumber: resident.fbiNumber) : ViewFormat.name(resident.name),
                resident.kind == .supervisee ? "supervisee" : "household (\(resident.relationship ?? "-"))", resident.caseId,
                resident.registeredAddress ?? "-", ViewFormat.list(named))
        }
        return "People registered at this address\n" + table.render(empty: "Nobody under active supervision is registered here.")
    }

    private func investigations() -> String {
        var table = TextTable("INVESTIGATION", "LEAD", "SENSITIVITY", "WHY", "NAMES", "CONTACT", "SUMMARY")
        for row in result.investigations {
            table.add(
                row.investigationId, row.leadAgencyId ?? "-", row.sensitivity?.rawValue ?? "-", ViewFormat.list(row.reasons.map(\.rawValue)),
                row.detailsWithheld ? "withheld: ask the lead agency" : mentions(row.namedResidents),
                row.contact.map { [$0.name, $0.phone].compactMap { $0 }.joined(separator: " ") } ?? "-", row.summary ?? "-")
        }
        return "Open investigations\n" + table.render(empty: "None.")
    }

    private func incidents() -> String {
        var table = TextTable("WHEN", "KIND", "INCIDENT", "DISTANCE", "WHY", "NAMES", "WHERE")
        for row in result.incidents {
            table.add(
                ViewFormat.minute(row.incidentAt), row.incidentKind.rawValue, row.incidentId,
                row.distanceMeters.map { "\(Int($0.rounded())) m" } ?? "-", ViewFormat.list(row.reasons.map(\.rawValue)),
                mentions(row.namedResidents), ViewFormat.address(row.address))
        }
        return "Violent incidents in the \(result.incidentWindowDays) days before, within \(result.radiusMeters) m or naming a resident\n"
            + table.render(empty: "None.")
    }

    private func mentions(_ mentions: [SafetyMention]) -> String {
        ViewFormat.list(mentions.map {
            "\(ViewFormat.name($0.resident.name)) (\($0.role.rawValue), by \(Self.words($0.matchedOn)))"
        })
    }

    private static func words(_ basis: SafetyMatchBasis) -> String {
        switch basis {
        case .stateId: "state ID"
        case .fbiNumber: "FBI number"
        case .name: "name"
        }
    }
}
