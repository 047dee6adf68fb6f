extension DateOfBirth {
    /// How two dates of birth agree, best first: 4 equal; 3 day and month swapped (a common
    /// keying error: 1985-03-07 / 1985-07-03); 2 exactly one of year, month, day differs (a typo
    /// in one component, e.g. 1985-03-07 / 1985-03-17 or / 1986-03-07); 1 years within one of
    /// each other, otherwise different; 0 further apart.
    public static func agreementLevel(_ a: DateOfBirth, _ b: DateOfBirth) -> UInt8 {
        if a == b { return 4 }
        if a.year == b.year && a.day == b.month && a.month == b.day { return 3 }
        let differing = (a.year != b.year ? 1 : 0) + (a.month != b.month ? 1 : 0) + (a.day != b.day ? 1 : 0)
        if differing == 1 { return 2 }
        if abs(a.year - b.year) <= 1 { return 1 }
        return 0
    }
}
