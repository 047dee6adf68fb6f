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

/// Built-in probabilities: where the EM starts, and what a batch too small to learn from keeps
/// (m), or what random pairs of a small batch are blended with (u). Rounded, and made a little
/// less extreme, from the estimates on the synthetic benchmark data (5,000 × 5,000, seed 1).
extension FellegiSunterModel {
    /// m per field and level, in `ComparisonField` order.
    public static let defaultM: [[Double]] = [
        [0.02, 0.02, 0.03, 0.13, 0.10, 0.70],  // given name: else, initial, sounds alike, close, nickname, equal
        [0.01, 0.01, 0.14, 0.03, 0.81],  // family name: else, sounds alike, close, shares a part, equal
        [0.002, 0.003, 0.01, 0.05, 0.03, 0.905],  // date of birth: else, year ±1, one component, one off by one, swapped, equal
        [0.01, 0.99],  // sex
        [0.43, 0.01, 0.01, 0.55],  // address: else, postal code, close street, same street
        [0.02, 0.08, 0.90],  // SSN: else, last four, all nine
        [0.01, 0.99],  // identifiers: conflict, shared
    ]

    /// u per field and level, in `ComparisonField` order.
    public static let defaultU: [[Double]] = [
        [0.983, 0.003, 0.003, 0.0025, 0.0025, 0.006],
        [0.986, 0.001, 0.002, 0.003, 0.008],
        [0.942, 0.053, 0.0042, 0.0006, 0.00005, 0.00025],
        [0.5, 0.5],
        [0.992, 0.0075, 0.0002, 0.0003],
        [0.999, 0.0009, 0.0001],
        [0.9995, 0.0005],
    ]
}

extension Array where Element == Double {
    func normalised() -> [Double] {
        let sum = reduce(0, +)
        return sum > 0 ? map { $0 / sum } : self
    }
}
