extension DateOfBirth {
    /// How two dates of birth agree, best first: 5 equal; 4 day and month swapped (a common
    /// keying error: 1985-03-07 / 1985-07-03); 3 exactly one of year, month, day differs, and by
    /// one (1985-03-07 / 1986-03-07 or / 1985-03-08: an age counted from the wrong birthday, a
    /// slip to the next value); 2 exactly one differs by more (1985-03-07 / 1985-03-17);
    /// 1 years within one of each other, otherwise different; 0 further apart.
    ///
    /// Levels 3 and 2 are apart because they are not equally likely between strangers: a
    /// namesake born in the same month of the same year has two neighbouring days out of about
    /// thirty, but any of the other twenty-nine.
    public static func agreementLevel(_ a: DateOfBirth, _ b: DateOfBirth) -> UInt8 {
        if a == b { return 5 }
        if a.year == b.year && a.day == b.month && a.month == b.day { return 4 }
        let yearOff = abs(a.year - b.year), monthOff = abs(a.month - b.month), dayOff = abs(a.day - b.day)
        switch (yearOff, monthOff, dayOff) {
        case (1, 0, 0), (0, 1, 0), (0, 0, 1): return 3
        case (_, 0, 0), (0, _, 0), (0, 0, _): return 2
        default: return yearOff <= 1 ? 1 : 0
        }
    }

    /// Whether two persons' records show two different dates of birth, each confirmed: some date
    /// is on at least two of the first person's records, another on at least two of the
    /// second's, and the two neither agree nor are day and month swapped. One record's odd date
    /// is a typo as likely as not; the same date on two records of a person is that person's.
    public static func confirmedApart(_ first: [DateOfBirth?], _ second: [DateOfBirth?]) -> Bool {
        func confirmed(_ dates: [DateOfBirth?]) -> Set<DateOfBirth> {
            var counts: [DateOfBirth: Int] = [:]
            for date in dates { if let date { counts[date, default: 0] += 1 } }
            return Set(counts.filter { $0.value >= 2 }.keys)
        }
        let mine = confirmed(first)
        guard !mine.isEmpty else { return false }
        let theirs = confirmed(second)
        return mine.contains { a in theirs.contains { b in agreementLevel(a, b) < 4 } }
    }
}
