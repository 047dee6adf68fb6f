import Foundation

/// A Fellegi–Sunter model: for each field and agreement level, m (the probability of that level
/// when two records are the same person) and u (when they are not). A pair's match weight is
/// the sum over its fields of log2(m / u) — evidence in bits — plus the prior log-odds that two
/// records are the same person; missing fields add nothing. Fields are assumed independent
/// given the match status (the model's known weakness: twins agree on everything but the given
/// name, which is why the resolver never links a pair whose given names disagree outright).
public struct FellegiSunterModel: Sendable, Equatable {
    /// m per field (by `ComparisonField.rawValue`) and level.
    public var m: [[Double]]
    /// u per field and level.
    public var u: [[Double]]
    /// Probability that two records drawn at random are the same person.
    public var matchPrior: Double

    public init(m: [[Double]], u: [[Double]], matchPrior: Double) {
        self.m = m
        self.u = u
        self.matchPrior = matchPrior
    }

    /// Bits of evidence of `level` in `field`.
    public func weight(_ field: ComparisonField, level: UInt8) -> Double {
        log2(m[field.rawValue][Int(level)] / u[field.rawValue][Int(level)])
    }

    /// The prior log-odds in bits.
    public var priorWeight: Double { log2(matchPrior / (1 - matchPrior)) }

    /// The match weight of a vector: prior plus each present field's weight.
    public func matchWeight(_ vector: ComparisonVector) -> Double {
        var total = priorWeight
        for field in ComparisonField.allCases {
            if let level = vector[field] { total += weight(field, level: level) }
        }
        return total
    }

    /// A weight in bits as a probability of a match.
    public static func probability(weight: Double) -> Double {
        1 / (1 + exp2(-weight))
    }
}

/// Probabilities as the EM starts them: m leaning towards agreement, u spread evenly.
extension FellegiSunterModel {
    static func initialM() -> [[Double]] {
        ComparisonField.allCases.map { field in
            // The top level 0.7; the lower ones share 0.3, more to the higher levels.
            let lower = (1..<field.levelCount).map(Double.init)
            let sum = lower.reduce(0, +)
            return lower.map { 0.3 * $0 / sum } + [0.7]
        }
    }
}

extension Array where Element == Double {
    func normalised() -> [Double] {
        let sum = reduce(0, +)
        return sum > 0 ? map { $0 / sum } : self
    }
}
