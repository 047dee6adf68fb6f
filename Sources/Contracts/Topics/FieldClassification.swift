/// The legal category of a field, which decides who may receive it and how it is protected.
///
/// Every field of every event carries at least one classification in its contract, so the
/// policy layer can redact per recipient without guessing.
public enum FieldClassification: String, Sendable, Hashable, CaseIterable, Codable {
    /// Criminal justice information (CJIS Security Policy): arrests, charges, custody, supervision.
    case cji
    /// Criminal intelligence kept under 28 CFR Part 23: only with reasonable suspicion, purged
    /// when no longer relevant, shared only with those who need and have a right to know.
    case criminalIntelligence = "criminal_intelligence"
    /// Health and substance-use treatment information (HIPAA; 42 CFR Part 2): shared only under
    /// the person's consent and its scope.
    case health
    /// Personal identifiers and contact details: names, dates of birth, addresses, phone numbers.
    case pii
    /// Nothing sensitive: codes, agency identifiers, event metadata.
    case `public`
}
