import Foundation
import Testing

@testable import Places

@Suite("Distances between coordinates")
struct GeoDistanceTests {
    /// Metres along a great circle for `degrees` of arc on the sphere the module uses.
    static func arc(_ degrees: Double) -> Double { GeoDistance.meanEarthRadius * degrees * .pi / 180 }

    static func point(_ latitude: Double, _ longitude: Double) throws -> GeoPoint {
        try GeoPoint(latitude: latitude, longitude: longitude)
    }

    @Test("arcs along a meridian, along the equator, across the antimeridian and to the antipode")
    func arcs() throws {
        let cases: [(GeoPoint, GeoPoint, Double)] = [
            (try Self.point(39, -94.5), try Self.point(40, -94.5), Self.arc(1)),
            (try Self.point(0, 10), try Self.point(0, 13), Self.arc(3)),
            (try Self.point(0, 179.9), try Self.point(0, -179.9), Self.arc(0.2)),
            (try Self.point(0, 0), try Self.point(0, 180), Self.arc(180)),
            (try Self.point(90, 0), try Self.point(90, 120), 0),
            (try Self.point(39.0703, -94.5649), try Self.point(39.0703, -94.5649), 0),
        ]
        for (a, b, expected) in cases {
            let forth = GeoDistance.metres(from: a, to: b)
            #expect(abs(forth - expected) <= 1e-6 * max(1, expected), "\(a) → \(b): \(forth), expected \(expected)")
            #expect(forth == GeoDistance.metres(from: b, to: a), "the same both ways")
        }
    }

    /// Land's End to John o' Groats, the haversine worked example of Movable Type's "Calculate
    /// distance, bearing and more between Latitude/Longitude points": 968.9 km on a 6,371 km
    /// sphere.
    @Test("a published haversine example")
    func publishedExample() throws {
        let landsEnd = try Self.point(50 + 3 / 60 + 59 / 3600, -(5 + 42 / 60 + 53 / 3600))
        let johnOGroats = try Self.point(58 + 38 / 60 + 38 / 3600, -(3 + 4 / 60 + 12 / 3600))
        let onTheirSphere = GeoDistance.metres(from: landsEnd, to: johnOGroats) * 6_371_000 / GeoDistance.meanEarthRadius
        #expect(abs(onTheirSphere - 968_900) < 100, "\(onTheirSphere)")
    }

    @Test("a point is within a radius up to its edge, and a negative or unknown radius holds nothing")
    func radius() throws {
        let home = try Self.point(39.0411, -94.5406)
        // 100 m due north.
        let north = try Self.point(39.0411 + 100 / Self.arc(1), -94.5406)
        let distance = GeoDistance.metres(from: home, to: north)
        #expect(abs(distance - 100) < 1e-6)
        #expect(GeoDistance.isWithin(100.001, metresOf: home, north))
        #expect(!GeoDistance.isWithin(99.99, metresOf: home, north))
        #expect(GeoDistance.isWithin(0, metresOf: home, home))
        #expect(!GeoDistance.isWithin(-1, metresOf: home, home))
        #expect(!GeoDistance.isWithin(.nan, metresOf: home, home))
    }

    @Test("coordinates off the globe are refused, naming the field", arguments: [
        (91.0, 0.0, "latitude"), (-90.5, 0.0, "latitude"), (Double.nan, 0.0, "latitude"),
        (0.0, 180.5, "longitude"), (0.0, -181.0, "longitude"), (0.0, Double.infinity, "longitude"),
    ])
    func refused(latitude: Double, longitude: Double, field: String) {
        let error = #expect(throws: PlaceError.self) { _ = try GeoPoint(latitude: latitude, longitude: longitude) }
        #expect(error?.field == field)
    }
}
