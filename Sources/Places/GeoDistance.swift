import Foundation

/// A point on the Earth in decimal degrees (WGS 84, as the contracts' `coordinates` carry it).
public struct GeoPoint: Hashable, Sendable, CustomStringConvertible {
    public let latitude: Double
    public let longitude: Double

    /// Throws, naming the field, for a latitude outside −90…90, a longitude outside −180…180,
    /// or a value that is not a finite number.
    public init(latitude: Double, longitude: Double) throws(PlaceError) {
        guard latitude.isFinite, (-90...90).contains(latitude) else {
            throw PlaceError(field: "latitude", reason: "must be a number from -90 to 90")
        }
        guard longitude.isFinite, (-180...180).contains(longitude) else {
            throw PlaceError(field: "longitude", reason: "must be a number from -180 to 180")
        }
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Personal data when it is someone's home: log at debug level only.
    public var description: String { "(\(latitude), \(longitude))" }
}

/// Distances along the Earth's surface, for "at or near this address" checks.
///
/// The haversine formula on a sphere of the Earth's mean radius: within about 0.5 % of the
/// distance on the WGS 84 ellipsoid, well inside the error of a geocoded address, and stable for
/// short distances (no cancellation near zero, unlike the spherical law of cosines).
public enum GeoDistance {
    /// The Earth's mean radius (IUGG), in metres.
    public static let meanEarthRadius: Double = 6_371_008.8

    /// The great-circle distance between two points, in metres.
    public static func metres(from a: GeoPoint, to b: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let (phi1, phi2) = (a.latitude * radians, b.latitude * radians)
        let deltaPhi = (b.latitude - a.latitude) * radians
        let deltaLambda = (b.longitude - a.longitude) * radians
        let h = pow(sin(deltaPhi / 2), 2) + cos(phi1) * cos(phi2) * pow(sin(deltaLambda / 2), 2)
        return 2 * meanEarthRadius * asin(min(1, sqrt(h)))
    }

    /// Whether `point` lies within `radius` metres of `centre` (its edge included). A negative
    /// or non-finite radius contains nothing.
    public static func isWithin(_ radius: Double, metresOf centre: GeoPoint, _ point: GeoPoint) -> Bool {
        guard radius.isFinite, radius >= 0 else { return false }
        return metres(from: centre, to: point) <= radius
    }
}
