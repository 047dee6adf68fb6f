import Contracts
import Foundation
import Placeholders
import Places
import ServiceKit
import Storage

/// Where an event puts a home or an incident, as the safety check compares places: the
/// address's normalised key (``AddressKey``, without its ZIP) and its building (the key without
/// units), the ZIP apart, and the coordinates when the event carried them.
///
/// An address that ``AddressKey`` cannot read (a state it does not know, a line with no street
/// name, a placeholder such as "HOMELESS" that names no place) is kept without a key: it can still be matched by its coordinates, and refusing the
/// event would take it from every other view too.
struct SafetyPlace: Sendable, Hashable {
    /// `AddressKey.withoutPostalCode`'s text, units included; nil when there is no readable address.
    var addressKey: String?
    /// The same without its units: the building.
    var buildingKey: String?
    /// The units, sorted and joined (`# 4B`), empty when the address names none.
    var units: String
    var zip: String?
    var point: GeoPoint?

    /// Columns, in this order, of every table that stores a place.
    static let columns = "address_key, building_key, units, zip, latitude, longitude"

    static let none = SafetyPlace(addressKey: nil, buildingKey: nil, units: "", zip: nil, point: nil)

    init(addressKey: String?, buildingKey: String?, units: String, zip: String?, point: GeoPoint?) {
        self.addressKey = addressKey
        self.buildingKey = buildingKey
        self.units = units
        self.zip = zip
        self.point = point
    }

    /// The place of an address key, with coordinates when known.
    init(key: AddressKey, point: GeoPoint?) {
        addressKey = key.withoutPostalCode.description
        buildingKey = key.withoutUnits.withoutPostalCode.description
        units = key.units.joined(separator: " ")
        zip = key.zip
        self.point = point
    }

    /// The place of an event's address; its own coordinates, else `fallback` (a location's).
    ///
    /// - Throws: `PoisonMessage` when coordinates are outside the globe (the contract forbids it).
    init(_ address: Address?, coordinates fallback: Coordinates? = nil, field: String) throws(PoisonMessage) {
        // An address whose line says there is none ("HOMELESS") keeps no coordinates of its
        // own: a geocoder puts every such address at the centre of its city or ZIP code.
        let own = address.flatMap { AddressPlaceholder.isPlaceholder($0.line1) ? nil : $0.coordinates }
        let point = try Self.point(own ?? fallback, field: field)
        guard let address else {
            self = .none
            self.point = point
            return
        }
        do {
            let key = try AddressKey(
                line1: address.line1, line2: address.line2, city: address.city, state: address.state, postalCode: address.postalCode)
            self = SafetyPlace(key: key, point: point)
        } catch {
            // Not a key the check can compare (see the type's documentation): coordinates only.
            self = .none
            self.point = point
        }
    }

    static func point(_ coordinates: Coordinates?, field: String) throws(PoisonMessage) -> GeoPoint? {
        guard let coordinates else { return nil }
        do {
            return try GeoPoint(latitude: coordinates.latitude, longitude: coordinates.longitude)
        } catch {
            throw PoisonMessage(reason: "\(field).\(error.field) \(error.reason)")
        }
    }

    /// The values of ``columns``.
    var values: [SQLValue] {
        [
            addressKey.sqlValue, buildingKey.sqlValue, .text(units), zip.sqlValue,
            point.map { .real($0.latitude) } ?? .null, point.map { .real($0.longitude) } ?? .null,
        ]
    }

    /// Reads the place stored in a row's ``columns``.
    init(row: StorageRow) throws {
        addressKey = try row.get("address_key")
        buildingKey = try row.get("building_key")
        units = try row.get("units")
        zip = try row.get("zip")
        let latitude: Double? = try row.get("latitude")
        let longitude: Double? = try row.get("longitude")
        if let latitude, let longitude {
            point = try GeoPoint(latitude: latitude, longitude: longitude)
        } else {
            point = nil
        }
    }

    /// Whether both name the same dwelling: the same building, no ZIP against it, and the same
    /// units, or no unit on one side ("123 Main St" is any flat of the building, "Apt 4B" is
    /// not "Apt 5"). False when either has no key.
    func isSameAddress(as other: SafetyPlace) -> Bool {
        isSameBuilding(as: other) && (units.isEmpty || other.units.isEmpty || units == other.units)
    }

    /// Whether both are in the same building: the same key without units, and no ZIP against it.
    func isSameBuilding(as other: SafetyPlace) -> Bool {
        guard let building = buildingKey, building == other.buildingKey else { return false }
        if let zip, let otherZip = other.zip, zip != otherZip { return false }
        return true
    }

    /// Whether `other` is this place: by key when both have one, else by coordinates within
    /// ``SafetyStore/sameAddressMeters``.
    func isSamePlace(as other: SafetyPlace) -> Bool {
        if buildingKey != nil, other.buildingKey != nil { return isSameAddress(as: other) }
        guard let point, let otherPoint = other.point else { return false }
        return GeoDistance.isWithin(SafetyStore.sameAddressMeters, metresOf: point, otherPoint)
    }
}

/// A latitude/longitude rectangle holding every point within a radius of a centre, for the SQL
/// prefilter before the exact distance (``GeoDistance``) is taken in Swift.
struct GeoBox: Sendable, Hashable {
    var minLatitude: Double
    var maxLatitude: Double
    var minLongitude: Double
    var maxLongitude: Double

    /// The rectangle around `centre`, a little larger than the circle of `radius` metres. Near a
    /// pole or across the 180th meridian it spans every longitude: wider, never missing a point.
    init(around centre: GeoPoint, radius: Double) {
        let degrees = 180 / Double.pi
        let latitudeSpan = radius * 1.01 / GeoDistance.meanEarthRadius * degrees
        minLatitude = max(-90, centre.latitude - latitudeSpan)
        maxLatitude = min(90, centre.latitude + latitudeSpan)
        let widest = max(abs(minLatitude), abs(maxLatitude))
        let cosine = cos(widest / degrees)
        let longitudeSpan = cosine > 1e-6 ? latitudeSpan / cosine : 360
        if longitudeSpan >= 180 || centre.longitude - longitudeSpan < -180 || centre.longitude + longitudeSpan > 180 {
            (minLongitude, maxLongitude) = (-180, 180)
        } else {
            (minLongitude, maxLongitude) = (centre.longitude - longitudeSpan, centre.longitude + longitudeSpan)
        }
    }
}
