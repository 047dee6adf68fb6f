import Contracts
import Foundation

/// The fixed cast of the replay benchmark's workload: the agency directory (police departments
/// by city, courts, prosecutors, prisons, jails, supervision), the cities people live in with
/// their postal codes and centres, street names, facilities and officers. Everything the
/// generated events name comes from here, so the views' joins (a release to a city its police
/// serve, a warrant's court, a prosecutor's courts) find real rows.
enum ReplayWorld {
    struct City {
        var name: String
        var county: String
        var policeId: String
        var policeName: String
        var postalCodes: [String]
        var latitude: Double
        var longitude: Double
    }

    static let cities: [City] = [
        City(name: "Kansas City", county: "Jackson", policeId: "MO-KCPD", policeName: "Kansas City Missouri Police Department",
             postalCodes: ["64105", "64109", "64110", "64124", "64127", "64128", "64130"], latitude: 39.0997, longitude: -94.5786),
        City(name: "St. Louis", county: "St. Louis City", policeId: "MO-SLMPD", policeName: "St. Louis Metropolitan Police Department",
             postalCodes: ["63101", "63104", "63106", "63107", "63113", "63115", "63118"], latitude: 38.6270, longitude: -90.1994),
        City(name: "Independence", county: "Jackson", policeId: "MO-IPD", policeName: "Independence Police Department",
             postalCodes: ["64050", "64052", "64055"], latitude: 39.0911, longitude: -94.4155),
        City(name: "Springfield", county: "Greene", policeId: "MO-SPD", policeName: "Springfield Police Department",
             postalCodes: ["65802", "65803", "65806"], latitude: 37.2090, longitude: -93.2923),
        City(name: "Columbia", county: "Boone", policeId: "MO-CPD", policeName: "Columbia Police Department",
             postalCodes: ["65201", "65202", "65203"], latitude: 38.9517, longitude: -92.3341),
        City(name: "St. Joseph", county: "Buchanan", policeId: "MO-SJPD", policeName: "St. Joseph Police Department",
             postalCodes: ["64501", "64503", "64505"], latitude: 39.7675, longitude: -94.8467),
        City(name: "Joplin", county: "Jasper", policeId: "MO-JPD", policeName: "Joplin Police Department",
             postalCodes: ["64801", "64804"], latitude: 37.0842, longitude: -94.5133),
        City(name: "Jefferson City", county: "Cole", policeId: "MO-JCPD", policeName: "Jefferson City Police Department",
             postalCodes: ["65101", "65109"], latitude: 38.5767, longitude: -92.1735),
        City(name: "Cape Girardeau", county: "Cape Girardeau", policeId: "MO-CGPD", policeName: "Cape Girardeau Police Department",
             postalCodes: ["63701", "63703"], latitude: 37.3059, longitude: -89.5181),
        City(name: "Florissant", county: "St. Louis", policeId: "MO-FPD", policeName: "Florissant Police Department",
             postalCodes: ["63031", "63033", "63034"], latitude: 38.7892, longitude: -90.3226),
    ]

    static let courts = ["MO-CIRCUIT16", "MO-CIRCUIT7", "MO-CIRCUIT22", "MO-CIRCUIT31", "MO-CIRCUIT13"]
    static let courtCounties = ["MO-CIRCUIT16": "Jackson", "MO-CIRCUIT7": "Clay", "MO-CIRCUIT22": "St. Louis City",
                                "MO-CIRCUIT31": "Greene", "MO-CIRCUIT13": "Boone"]
    static let supervisionAgency = "MO-DOC-PP"
    static let corrections = "MO-DOC"

    static let prisons = [
        Facility(facilityId: "MO-DOC-WERDCC", name: "Western Reception, Diagnostic and Correctional Center", kind: .prison),
        Facility(facilityId: "MO-DOC-ERDCC", name: "Eastern Reception, Diagnostic and Correctional Center", kind: .prison),
        Facility(facilityId: "MO-DOC-JCCC", name: "Jefferson City Correctional Center", kind: .prison),
        Facility(facilityId: "MO-DOC-KCRC", name: "Kansas City Reentry Center", kind: .communityCorrectionsCenter),
    ]
    /// A county jail and the sheriff's office that runs it (and books arrests into it).
    struct Jail {
        var facility: Facility
        var sheriffId: String
        var county: String
    }

    static let jails = [
        Jail(facility: Facility(facilityId: "MO-JCDC", name: "Jackson County Detention Center", kind: .jail), sheriffId: "MO-JCSO", county: "Jackson"),
        Jail(facility: Facility(facilityId: "MO-SLCJ", name: "St. Louis City Justice Center", kind: .jail), sheriffId: "MO-SLCSO",
             county: "St. Louis City"),
        Jail(facility: Facility(facilityId: "MO-GCJ", name: "Greene County Jail", kind: .jail), sheriffId: "MO-GCSO", county: "Greene"),
    ]

    static let givenNames = ["Darnell", "Marcus", "Alicia", "Tanya", "Luis", "Chidi", "Ana", "James", "Maria", "Robert",
                             "Keisha", "David", "Jasmine", "Michael", "Linda", "Andre", "Sofia", "Tyrone", "Emily", "Carlos"]
    static let familyNames = ["Reyes", "Hill", "Grant", "Brooks", "Medina", "Okafor", "Lindqvist", "Johnson", "Williams",
                              "Garcia", "Brown", "Davis", "Miller", "Wilson", "Moore", "Taylor", "Thomas", "Jackson", "White", "Harris",
                              "Martin", "Thompson", "Robinson", "Clark", "Lewis"]
    static let streets = ["Troost Ave", "Prospect Ave", "E 31st St", "Main St", "Grand Blvd", "N Liberty St", "Olive St",
                          "Natural Bridge Ave", "Gravois Ave", "Broadway", "Walnut St", "Cherry St", "Maple Ave", "Park Ave",
                          "W 12th St", "S Campbell Ave", "N Kingshighway Blvd", "Jefferson Ave", "Independence Ave", "Linwood Blvd"]

    static let charges = [
        Charge(code: "571.030", description: "Unlawful use of a weapon", level: .felony),
        Charge(code: "565.050", description: "Assault in the first degree", level: .felony),
        Charge(code: "570.030", description: "Stealing", level: .misdemeanor),
        Charge(code: "579.015", description: "Possession of a controlled substance", level: .felony),
        Charge(code: "575.150", description: "Resisting arrest", level: .misdemeanor),
        Charge(code: "304.010", description: "Speeding", level: .infraction),
    ]

    /// The directory entries published before anything else (a service reads its reference
    /// topic first): one police department per city, the courts, their prosecutors, the
    /// prisons, the jails' sheriffs and the supervision agency.
    static let directory: [AgencyDescribed] = {
        var entries = cities.map { city in
            AgencyDescribed(
                agencyId: city.policeId, kind: .police, name: city.policeName,
                jurisdiction: AgencyJurisdiction(state: "MO", counties: [city.county], places: [city.name]),
                dutyContact: DutyContact(phone: "+1 816 555 0100"))
        }
        for court in courts {
            let county = courtCounties[court] ?? "Jackson"
            entries.append(AgencyDescribed(
                agencyId: court, kind: .court, name: "Circuit Court of \(county) County",
                jurisdiction: AgencyJurisdiction(state: "MO", counties: [county]), dutyContact: DutyContact(phone: "+1 816 555 0200")))
            entries.append(AgencyDescribed(
                agencyId: court.replacingOccurrences(of: "CIRCUIT", with: "PA"), kind: .prosecutor, name: "\(county) County Prosecuting Attorney",
                jurisdiction: AgencyJurisdiction(state: "MO", counties: [county]), dutyContact: DutyContact(phone: "+1 816 555 0300"),
                courts: [court]))
        }
        entries.append(AgencyDescribed(
            agencyId: corrections, kind: .prison, name: "Missouri Department of Corrections",
            jurisdiction: AgencyJurisdiction(state: "MO", statewide: true), dutyContact: DutyContact(phone: "+1 573 751 2389")))
        entries.append(AgencyDescribed(
            agencyId: supervisionAgency, kind: .communitySupervision, name: "Missouri Division of Probation and Parole",
            jurisdiction: AgencyJurisdiction(state: "MO", statewide: true), dutyContact: DutyContact(phone: "+1 573 751 8488")))
        for jail in jails {
            entries.append(AgencyDescribed(
                agencyId: jail.sheriffId, kind: .sheriff, name: "\(jail.county) County Sheriff's Office",
                jurisdiction: AgencyJurisdiction(state: "MO", counties: [jail.county]), dutyContact: DutyContact(phone: "+1 816 555 0400")))
        }
        return entries
    }()
}
