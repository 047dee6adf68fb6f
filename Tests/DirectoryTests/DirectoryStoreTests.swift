import Contracts
import Directory
import Foundation
import GRDB
import Testing
import TestSupport

/// The directory as reference state in a service's database: what a rule loads answers as the
/// directory value would, after updates and retirements.
@Suite struct DirectoryStoreTests {
    func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.migrate(DirectoryStore.migrations)
        return queue
    }

    let kcpd = AgencyDirectoryTests.agency("MO-KCPD", places: ["Kansas City", "Grandview"])
    let slmpd = AgencyDirectoryTests.agency("MO-SLMPD", places: ["St. Louis"])

    @Test func aPlaceLoadsTheAgenciesServingIt() throws {
        try database().write { db in
            let store = DirectoryStore(db.storage)
            try store.describe(kcpd)
            try store.describe(slmpd)
            #expect(try store.directory(forPlace: "SAINT LOUIS", in: "mo").police(state: "MO", place: "saint louis")?.agencyId == "MO-SLMPD")
            #expect(try store.directory(forPlace: "Kansas City", in: "MO").entries.keys.sorted() == ["MO-KCPD"])
            #expect(try store.directory(forPlace: "Columbia", in: "MO").entries.isEmpty)
            #expect(try store.all().entries.count == 2)
        }
    }

    @Test func anUpdateMovesAPlaceAndARetirementRemovesTheAgency() throws {
        try database().write { db in
            let store = DirectoryStore(db.storage)
            try store.describe(kcpd)
            try store.describe(AgencyDirectoryTests.agency("MO-KCPD", places: ["Kansas City"]))
            #expect(try store.directory(forPlace: "Grandview", in: "MO").entries.isEmpty)
            try store.retire("MO-KCPD")
            #expect(try store.status("MO-KCPD") == "retired")
            #expect(try store.directory(forPlace: "Kansas City", in: "MO").entries.isEmpty)
            #expect(try store.all().entries.isEmpty)
            // Described again, it answers again.
            try store.describe(kcpd)
            #expect(try store.directory(forPlace: "Grandview", in: "MO").police(state: "MO", place: "Grandview")?.agencyId == "MO-KCPD")
        }
    }

    /// A place asked for again in the same transaction (the router asks at most events) sees
    /// every change the transaction made to the directory since.
    @Test func aPlaceAskedForAgainSeesEachChange() throws {
        try database().write { db in
            let store = DirectoryStore(db.storage)
            func agencies() throws -> [String] { try store.directory(forPlace: "Grandview", in: "MO").entries.keys.sorted() }
            #expect(try agencies() == [])
            try store.describe(kcpd)
            #expect(try agencies() == ["MO-KCPD"])
            #expect(try agencies() == ["MO-KCPD"])
            try store.describe(AgencyDirectoryTests.agency("MO-KCPD", places: ["Kansas City"]))
            #expect(try agencies() == [])
            try store.describe(kcpd)
            #expect(try agencies() == ["MO-KCPD"])
            try store.retire("MO-KCPD")
            #expect(try agencies() == [])
        }
    }

    @Test func aRetirementReadBeforeTheEntryIsRecorded() throws {
        try database().write { db in
            let store = DirectoryStore(db.storage)
            try store.retire("MO-OLDPD")
            #expect(try store.status("MO-OLDPD") == "retired")
            #expect(try store.status("MO-NEVER") == nil)
            #expect(try store.all().entries.isEmpty)
        }
    }

    @Test func aCourtLoadsItsProsecutorsOnly() throws {
        try database().write { db in
            let store = DirectoryStore(db.storage)
            try store.describe(AgencyDirectoryTests.agency("MO-JCPO", .prosecutor, courts: ["MO-CIRCUIT16"]))
            // Courts listed by an agency that is not a prosecutor answer nothing.
            try store.describe(AgencyDirectoryTests.agency("MO-KCPD", courts: ["MO-CIRCUIT16"]))
            #expect(try store.directory(forCourt: "MO-CIRCUIT16").prosecutor(servingCourt: "MO-CIRCUIT16")?.agencyId == "MO-JCPO")
            #expect(try store.directory(forCourt: "MO-CIRCUIT16").entries.keys.sorted() == ["MO-JCPO"])
        }
    }
}
