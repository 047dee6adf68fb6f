/// Blocking: only records that share a key in at least one pass are compared, so the work grows
/// with the records and the size of their blocks rather than with every pair. Each pass catches
/// what the others miss: a typo in the family name (given initial + date of birth), a wrong
/// date (postal code + family-name prefix, phonetic names), a nickname (phonetic family name +
/// year), a compound surname (each part's key), names changed altogether (strong identifiers),
/// and two errors at once: a family name mistyped where its sound changes beside a date one part
/// off (given name's sound + two parts of the date) or beside a record without a date at the
/// same address (postal code + given name's sound), a given name so mistyped beside a wrong year
/// (family name's sound + month and day). On the benchmark's data (five seeds of 5,000 × 5,000)
/// those three took the true pairs never compared from 70–87 to 50–61 a seed, with no false
/// link more; 100,000 records: 2.0 M → 2.6 M candidate pairs. Then one address: a family name
/// mistyped in its first letters beside a nickname or a mistyped given name, one record
/// without a date ("Andy Moroe" and "Andrew Moore" at 4256 Hill Ct; 5,000 × 5,000: never
/// compared 61 → 56 on seed 1, `recall_decided` up on ten seeds, no false pair more).
///
/// Keys are stored beside each record in the running index (`PersonIndexStore`): a pass added
/// or changed needs a migration that keys the stored records again (`person-index-v6`, `-v7`).
public enum BlockingPass: String, Sendable, CaseIterable {
    /// NYSIIS of the family name (and of each part of a compound one) + year of birth; and
    /// + month and day of birth (a year off: an age counted from the wrong birthday).
    case familyPhoneticAndBirthYear
    /// Initial of the given name (and of the formal names a nickname stands for) + full date of
    /// birth, day and month in ascending order so a swapped pair shares the key.
    case givenInitialAndBirthDate
    /// Postal code + the first three letters of the family name (or of each part).
    case postalCodeAndFamilyPrefix
    /// NYSIIS of the family name + NYSIIS of the given name (records without a date of birth).
    case familyAndGivenPhonetic
    /// Each strong identifier (state ID, FBI number, DOC, booking, RMS numbers in scope).
    case strongIdentifiers
    /// NYSIIS of the given name + two of the three parts of the date of birth.
    case givenPhoneticAndTwoDateParts
    /// Postal code + NYSIIS of the given name.
    case postalCodeAndGivenPhonetic
    /// Postal code + the address line (normalised: "Street" and "St" alike): the records of one
    /// address, whatever their names.
    case postalCodeAndAddressLine

    func keys(_ record: RecordFeatures) -> [String] {
        switch self {
        case .familyPhoneticAndBirthYear:
            guard let date = record.dateOfBirth else { return [] }
            return record.familyNames.flatMap { $0.phoneticKeys }.flatMap { ["\($0)|\(date.year)", "\($0)|m\(date.month)d\(date.day)"] }
        case .givenInitialAndBirthDate:
            guard let date = record.dateOfBirth else { return [] }
            let low = min(date.month, date.day), high = max(date.month, date.day)
            return Self.givenInitials(record).map { "\($0)|\(date.year)-\(low)-\(high)" }
        case .postalCodeAndFamilyPrefix:
            guard let postal = record.postalCode else { return [] }
            return record.familyNames.flatMap { name in
                ([name.compact] + (name.words.count > 1 ? name.words : [])).map { String(decoding: $0.prefix(3), as: UTF8.self) }
            }.map { "\(postal)|\($0)" }
        case .familyAndGivenPhonetic:
            let given = record.givenNames.compactMap { $0.phoneticKeys.first }
            return record.familyNames.flatMap { family in family.phoneticKeys.flatMap { f in given.map { "\(f)|\($0)" } } }
        case .strongIdentifiers:
            return record.strongIdentifiers.map(\.description)
        case .givenPhoneticAndTwoDateParts:
            guard let date = record.dateOfBirth else { return [] }
            let given = record.givenNames.compactMap { $0.phoneticKeys.first }
            return given.flatMap { ["\($0)|y\(date.year)m\(date.month)", "\($0)|y\(date.year)d\(date.day)", "\($0)|m\(date.month)d\(date.day)"] }
        case .postalCodeAndGivenPhonetic:
            guard let postal = record.postalCode else { return [] }
            return record.givenNames.compactMap { $0.phoneticKeys.first }.map { "\(postal)|\($0)" }
        case .postalCodeAndAddressLine:
            guard let postal = record.postalCode, let line = record.addressLine else { return [] }
            return ["\(postal)|\(String(decoding: line, as: UTF8.self))"]
        }
    }

    private static func givenInitials(_ record: RecordFeatures) -> Set<Character> {
        var initials: Set<Character> = []
        for name in record.givenNames {
            initials.insert(Character(Unicode.Scalar(name.first[0])))
            for formal in Nicknames.formalNames(of: name.firstString) { if let c = formal.first { initials.insert(c) } }
        }
        return initials
    }
}

/// The candidate pairs of a set of records: every pair sharing a key in some pass, each once.
struct CandidatePairs {
    /// Pairs as (lower index, higher index), in ascending order.
    private(set) var pairs: [(Int32, Int32)] = []
    /// Blocks left out because they held more records than the configured maximum.
    private(set) var oversizedBlocks = 0

    init(records: [RecordFeatures], passes: [BlockingPass], maximumBlockSize: Int) {
        var seen = Set<UInt64>()
        for pass in passes {
            var blocks: [String: [Int32]] = [:]
            for (index, record) in records.enumerated() {
                for key in Set(pass.keys(record)) { blocks[key, default: []].append(Int32(index)) }
            }
            for members in blocks.values where members.count > 1 {
                guard members.count <= maximumBlockSize else {
                    oversizedBlocks += 1
                    continue
                }
                for i in 0..<(members.count - 1) {
                    for j in (i + 1)..<members.count {
                        seen.insert(UInt64(UInt32(members[i])) << 32 | UInt64(UInt32(members[j])))
                    }
                }
            }
        }
        pairs = seen.sorted().map { (Int32(truncatingIfNeeded: $0 >> 32), Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF)) }
    }
}
