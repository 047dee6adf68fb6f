import Contracts
import Testing

/// `format` is asserted for `date`, `date-time` and `uuid`, the formats our events rely on.
struct FormatTests {
    static func check(_ format: String, _ value: String, assertsFormat: Bool = true) throws -> [SchemaViolation] {
        try JSONSchema(["format": .string(format)], options: .init(assertsFormat: assertsFormat)).validate(
            .string(value))
    }

    @Test(arguments: ["2024-02-29", "2000-02-29", "1999-12-31", "0001-01-01"])
    func validDates(_ value: String) throws {
        #expect(try Self.check("date", value) == [])
    }

    @Test(arguments: [
        "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00", "24-01-01",
        "2024-1-01", "2024/01/01", "2024-01-01T00:00:00Z", " 2024-01-01", "2024-01-01\n", "２０２４-01-01", "",
    ])
    func invalidDates(_ value: String) throws {
        let violations = try Self.check("date", value)
        #expect(violations.map(\.keyword) == ["format"])
        #expect(violations.first?.message == "string is not a date (RFC 3339 full-date, YYYY-MM-DD)")
    }

    @Test(arguments: [
        "2024-05-01T13:45:00Z", "2024-05-01t13:45:00z", "2024-05-01T13:45:00.123456+02:00",
        "2024-05-01T08:45:00-05:00", "2016-12-31T23:59:60Z", "2016-12-31T18:59:60-05:00",
    ])
    func validDateTimes(_ value: String) throws {
        #expect(try Self.check("date-time", value) == [])
    }

    @Test(arguments: [
        "2024-05-01 13:45:00Z", "2024-05-01T13:45:00", "2024-05-01T13:45Z", "2024-05-01T24:00:00Z",
        "2024-05-01T13:60:00Z", "2024-05-01T13:45:00+0200", "2024-05-01T13:45:00+24:00", "2024-05-01T13:45:00.Z",
        "2024-02-30T13:45:00Z", "2016-12-31T23:58:60Z", "2016-12-31T23:59:60+01:00", "2024-05-01T13:45:00ZZ",
    ])
    func invalidDateTimes(_ value: String) throws {
        let violations = try Self.check("date-time", value)
        #expect(violations.map(\.keyword) == ["format"])
        #expect(violations.first?.message.hasPrefix("string is not a date-time (RFC 3339") == true)
    }

    @Test(arguments: [
        "2eb8aa08-aa98-11ea-b4aa-73b441d16380", "2EB8AA08-AA98-11EA-B4AA-73B441D16380",
        "00000000-0000-0000-0000-000000000000",
    ])
    func validUUIDs(_ value: String) throws {
        #expect(try Self.check("uuid", value) == [])
    }

    @Test(arguments: [
        "2eb8aa08aa9811eab4aa73b441d16380", "{2eb8aa08-aa98-11ea-b4aa-73b441d16380}",
        "2eb8aa08-aa98-11ea-b4aa-73b441d1638g",
        "urn:uuid:2eb8aa08-aa98-11ea-b4aa-73b441d16380", "2eb8aa08-aa98-11ea-b4aa-73b441d1638",
    ])
    func invalidUUIDs(_ value: String) throws {
        #expect(
            try Self.check("uuid", value).map(\.message) == ["string is not a UUID (8-4-4-4-12 hexadecimal digits)"])
    }

    @Test func formatsApplyOnlyToStrings() throws {
        let schema = try JSONSchema(["format": "date"])
        #expect(schema.isValid(20_240_101))
        #expect(schema.isValid(nil))
    }

    @Test func assertionCanBeTurnedOff() throws {
        #expect(try Self.check("date", "01/05/2024", assertsFormat: false) == [])
        #expect(try Self.check("uuid", "nope", assertsFormat: false) == [])
    }

    @Test func otherFormatsAreAnnotations() throws {
        #expect(try Self.check("email", "not an email") == [])
        #expect(try Self.check("time", "25:99") == [])
    }
}
