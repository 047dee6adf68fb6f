import Contracts

/// What the pre-release rules count as high: the contract's risk levels (`riskLevel` in
/// `Topics/glossary.yaml`) `high` ("substantial risk; intensive supervision") and `very_high`
/// (the highest tier), for the risk of reoffending and for a need alike.
enum ReleaseRisk {
    static func isHigh(_ level: RiskLevel) -> Bool { level == .high || level == .veryHigh }

    /// How far back the high-needs rule looks for involvement in a violent incident: 12 months
    /// (365 days) before the tick.
    static let incidentLookBackMilliseconds: Int64 = 365 * 86_400_000
}
