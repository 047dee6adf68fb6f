/// The standard abbreviations of USPS Publication 28 (Postal Addressing Standards) that
/// address keys use: street suffixes (Appendix C1), secondary unit designators (Appendix C2),
/// directionals (section 233) and state codes (Appendix B). Each table maps every accepted
/// spelling, the standard one included, to the standard abbreviation.
enum USPSAbbreviations {
    /// Street suffixes (C1): the common ones, with the spellings Pub 28 lists for each.
    static let streetSuffixes: [String: String] = {
        let entries: [(standard: String, spellings: [String])] = [
            ("ALY", ["ALLEY", "ALLEE", "ALLY"]),
            ("ANX", ["ANNEX", "ANEX", "ANNX"]),
            ("ARC", ["ARCADE"]),
            ("AVE", ["AVENUE", "AV", "AVEN", "AVENU", "AVN", "AVNUE"]),
            ("BCH", ["BEACH"]),
            ("BND", ["BEND"]),
            ("BLF", ["BLUFF", "BLUF"]),
            ("BLVD", ["BOULEVARD", "BOUL", "BOULV"]),
            ("BR", ["BRANCH", "BRNCH"]),
            ("BRG", ["BRIDGE", "BRDGE"]),
            ("BRK", ["BROOK"]),
            ("BYP", ["BYPASS", "BYPA", "BYPAS", "BYPS"]),
            ("CP", ["CAMP", "CMP"]),
            ("CYN", ["CANYON", "CANYN", "CNYN"]),
            ("CSWY", ["CAUSEWAY", "CAUSWA"]),
            ("CTR", ["CENTER", "CEN", "CENT", "CENTR", "CENTRE", "CNTER", "CNTR"]),
            ("CIR", ["CIRCLE", "CIRC", "CIRCL", "CRCL", "CRCLE"]),
            ("CLF", ["CLIFF"]),
            ("CLFS", ["CLIFFS"]),
            ("CMN", ["COMMON"]),
            ("CMNS", ["COMMONS"]),
            ("COR", ["CORNER"]),
            ("CORS", ["CORNERS"]),
            ("CRSE", ["COURSE"]),
            ("CT", ["COURT"]),
            ("CTS", ["COURTS"]),
            ("CV", ["COVE"]),
            ("CRK", ["CREEK"]),
            ("CRES", ["CRESCENT", "CRSENT", "CRSNT"]),
            ("CRST", ["CREST"]),
            ("XING", ["CROSSING", "CRSSNG"]),
            ("DL", ["DALE"]),
            ("DM", ["DAM"]),
            ("DV", ["DIVIDE", "DIV", "DVD"]),
            ("DR", ["DRIVE", "DRIV", "DRV"]),
            ("DRS", ["DRIVES"]),
            ("EST", ["ESTATE"]),
            ("ESTS", ["ESTATES"]),
            ("EXPY", ["EXPRESSWAY", "EXP", "EXPR", "EXPRESS", "EXPW"]),
            ("EXT", ["EXTENSION", "EXTN", "EXTNSN"]),
            ("FLS", ["FALLS"]),
            ("FRY", ["FERRY", "FRRY"]),
            ("FLD", ["FIELD"]),
            ("FLDS", ["FIELDS"]),
            ("FLT", ["FLAT"]),
            ("FRD", ["FORD"]),
            ("FRST", ["FOREST", "FORESTS"]),
            ("FRG", ["FORGE", "FORG"]),
            ("FRK", ["FORK"]),
            ("FT", ["FORT", "FRT"]),
            ("FWY", ["FREEWAY", "FREEWY", "FRWAY", "FRWY"]),
            ("GDN", ["GARDEN", "GARDN", "GRDEN", "GRDN"]),
            ("GDNS", ["GARDENS", "GRDNS"]),
            ("GTWY", ["GATEWAY", "GATEWY", "GATWAY", "GTWAY"]),
            ("GLN", ["GLEN"]),
            ("GRN", ["GREEN"]),
            ("GRV", ["GROVE", "GROV"]),
            ("HBR", ["HARBOR", "HARB", "HARBR", "HRBOR"]),
            ("HVN", ["HAVEN"]),
            ("HTS", ["HEIGHTS", "HT"]),
            ("HWY", ["HIGHWAY", "HIGHWY", "HIWAY", "HIWY", "HWAY"]),
            ("HL", ["HILL"]),
            ("HLS", ["HILLS"]),
            ("HOLW", ["HOLLOW", "HLLW", "HOLLOWS", "HOLWS"]),
            ("IS", ["ISLAND", "ISLND"]),
            ("JCT", ["JUNCTION", "JCTION", "JCTN", "JUNCTN", "JUNCTON"]),
            ("KNL", ["KNOLL", "KNOL"]),
            ("LK", ["LAKE"]),
            ("LKS", ["LAKES"]),
            ("LNDG", ["LANDING", "LNDNG"]),
            ("LN", ["LANE"]),
            ("LOOP", ["LOOPS"]),
            ("MALL", []),
            ("MNR", ["MANOR"]),
            ("MDWS", ["MEADOWS", "MDW", "MEDOWS"]),
            ("ML", ["MILL"]),
            ("MSN", ["MISSION", "MISSN", "MSSN"]),
            ("MTWY", ["MOTORWAY"]),
            ("MT", ["MOUNT", "MNT"]),
            ("MTN", ["MOUNTAIN", "MNTAIN", "MNTN", "MOUNTIN", "MTIN"]),
            ("ORCH", ["ORCHARD", "ORCHRD"]),
            ("OVAL", ["OVL"]),
            ("PARK", ["PRK", "PARKS"]),
            ("PKWY", ["PARKWAY", "PARKWY", "PKWAY", "PKY", "PARKWAYS", "PKWYS"]),
            ("PASS", []),
            ("PATH", ["PATHS"]),
            ("PIKE", ["PIKES"]),
            ("PNES", ["PINES"]),
            ("PL", ["PLACE"]),
            ("PLN", ["PLAIN"]),
            ("PLNS", ["PLAINS"]),
            ("PLZ", ["PLAZA", "PLZA"]),
            ("PT", ["POINT"]),
            ("PRT", ["PORT"]),
            ("PR", ["PRAIRIE", "PRR"]),
            ("RADL", ["RADIAL", "RAD", "RADIEL"]),
            ("RNCH", ["RANCH", "RANCHES", "RNCHS"]),
            ("RDG", ["RIDGE", "RDGE"]),
            ("RIV", ["RIVER", "RVR", "RIVR"]),
            ("RD", ["ROAD"]),
            ("RDS", ["ROADS"]),
            ("RTE", ["ROUTE"]),
            ("ROW", []),
            ("RUN", []),
            ("SHR", ["SHORE", "SHOAR"]),
            ("SHRS", ["SHORES", "SHOARS"]),
            ("SPG", ["SPRING", "SPNG", "SPRNG"]),
            ("SPGS", ["SPRINGS", "SPNGS", "SPRNGS"]),
            ("SQ", ["SQUARE", "SQR", "SQRE", "SQU"]),
            ("STA", ["STATION", "STATN", "STN"]),
            ("STRM", ["STREAM", "STREME"]),
            ("ST", ["STREET", "STRT", "STR"]),
            ("STS", ["STREETS"]),
            ("SMT", ["SUMMIT", "SUMIT", "SUMITT"]),
            ("TER", ["TERRACE", "TERR"]),
            ("TRCE", ["TRACE", "TRACES"]),
            ("TRAK", ["TRACK", "TRACKS", "TRK", "TRKS"]),
            ("TRL", ["TRAIL", "TRAILS", "TRLS"]),
            ("TUNL", ["TUNNEL", "TUNEL", "TUNLS", "TUNNELS", "TUNNL"]),
            ("TPKE", ["TURNPIKE", "TRNPK", "TURNPK"]),
            ("UN", ["UNION"]),
            ("VLY", ["VALLEY", "VALLY", "VLLY"]),
            ("VIA", ["VIADUCT", "VDCT", "VIADCT"]),
            ("VW", ["VIEW"]),
            ("VLG", ["VILLAGE", "VILL", "VILLAG", "VILLG", "VILLIAGE"]),
            ("VIS", ["VISTA", "VIST", "VST", "VSTA"]),
            ("WALK", ["WALKS"]),
            ("WAY", ["WY"]),
            ("WL", ["WELL"]),
            ("WLS", ["WELLS"]),
        ]
        return table(entries)
    }()

    /// Directionals (section 233), one word or two ("SOUTH WEST" is joined by `StreetLine`).
    static let directionals: [String: String] = table([
        ("N", ["NORTH"]), ("S", ["SOUTH"]), ("E", ["EAST"]), ("W", ["WEST"]),
        ("NE", ["NORTHEAST"]), ("NW", ["NORTHWEST"]), ("SE", ["SOUTHEAST"]), ("SW", ["SOUTHWEST"]),
    ])

    /// Secondary unit designators (C2) that take a number or letter after them.
    static let rangedUnitDesignators: [String: String] = table([
        ("APT", ["APARTMENT"]), ("BLDG", ["BUILDING"]), ("DEPT", ["DEPARTMENT"]), ("FL", ["FLOOR"]),
        ("HNGR", ["HANGAR"]), ("KEY", []), ("LOT", []), ("PIER", []), ("RM", ["ROOM"]), ("SLIP", []),
        ("SPC", ["SPACE"]), ("STOP", []), ("STE", ["SUITE"]), ("TRLR", ["TRAILER"]), ("UNIT", []),
        ("#", []),
    ])

    /// Secondary unit designators (C2) that stand alone.
    static let unrangedUnitDesignators: [String: String] = table([
        ("BSMT", ["BASEMENT"]), ("FRNT", ["FRONT"]), ("LBBY", ["LOBBY"]), ("LOWR", ["LOWER"]),
        ("OFC", ["OFFICE"]), ("PH", ["PENTHOUSE"]), ("REAR", []), ("SIDE", []), ("UPPR", ["UPPER"]),
    ])

    /// Two-letter state, district and territory codes (Appendix B), by code and by name.
    static let states: [String: String] = {
        let names: [(String, String)] = [
            ("AL", "ALABAMA"), ("AK", "ALASKA"), ("AZ", "ARIZONA"), ("AR", "ARKANSAS"), ("CA", "CALIFORNIA"),
            ("CO", "COLORADO"), ("CT", "CONNECTICUT"), ("DE", "DELAWARE"), ("DC", "DISTRICT OF COLUMBIA"),
            ("FL", "FLORIDA"), ("GA", "GEORGIA"), ("HI", "HAWAII"), ("ID", "IDAHO"), ("IL", "ILLINOIS"),
            ("IN", "INDIANA"), ("IA", "IOWA"), ("KS", "KANSAS"), ("KY", "KENTUCKY"), ("LA", "LOUISIANA"),
            ("ME", "MAINE"), ("MD", "MARYLAND"), ("MA", "MASSACHUSETTS"), ("MI", "MICHIGAN"), ("MN", "MINNESOTA"),
            ("MS", "MISSISSIPPI"), ("MO", "MISSOURI"), ("MT", "MONTANA"), ("NE", "NEBRASKA"), ("NV", "NEVADA"),
            ("NH", "NEW HAMPSHIRE"), ("NJ", "NEW JERSEY"), ("NM", "NEW MEXICO"), ("NY", "NEW YORK"),
            ("NC", "NORTH CAROLINA"), ("ND", "NORTH DAKOTA"), ("OH", "OHIO"), ("OK", "OKLAHOMA"), ("OR", "OREGON"),
            ("PA", "PENNSYLVANIA"), ("RI", "RHODE ISLAND"), ("SC", "SOUTH CAROLINA"), ("SD", "SOUTH DAKOTA"),
            ("TN", "TENNESSEE"), ("TX", "TEXAS"), ("UT", "UTAH"), ("VT", "VERMONT"), ("VA", "VIRGINIA"),
            ("WA", "WASHINGTON"), ("WV", "WEST VIRGINIA"), ("WI", "WISCONSIN"), ("WY", "WYOMING"),
            ("AS", "AMERICAN SAMOA"), ("GU", "GUAM"), ("MP", "NORTHERN MARIANA ISLANDS"), ("PR", "PUERTO RICO"),
            ("VI", "VIRGIN ISLANDS"),
        ]
        return table(names.map { ($0.0, [$0.1]) })
    }()

    private static func table(_ entries: [(standard: String, spellings: [String])]) -> [String: String] {
        var result: [String: String] = [:]
        for (standard, spellings) in entries {
            result[standard] = standard
            for spelling in spellings { result[spelling] = standard }
        }
        return result
    }
}
