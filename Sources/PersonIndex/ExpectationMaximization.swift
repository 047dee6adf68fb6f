import Foundation

/// Estimates m, u and the share of matches among compared pairs by expectation–maximisation
/// over the comparison vectors themselves: no labelled pairs are needed. Each round computes,
/// for every distinct vector, the probability that its pairs are matches (E), then re-estimates
/// m and u as the match- and non-match-weighted shares of each level (M), until no parameter
/// moves by more than the tolerance. Works on distinct vectors with their counts, so a round
/// costs the number of distinct vectors (hundreds), not of pairs.
public struct ExpectationMaximization: Sendable {
    public struct Result: Sendable {
        public var m: [[Double]]
        public var u: [[Double]]
        /// Share of matches among the pairs the vectors came from.
        public var matchShare: Double
        public var iterations: Int
        public var converged: Bool
    }

    /// Rounds at most. Default: 500.
    public var maximumIterations = 500
    /// Largest parameter change that counts as converged. Default: 1e-7.
    public var tolerance = 1e-7
    /// Smallest probability a level keeps, so a level unseen in one class does not become
    /// infinite evidence. Default: 1e-4.
    public var floor = 1e-4

    public init() {}

    /// `vectors`: each distinct vector with the number of pairs that gave it. `ignoring`: fields
    /// left out (those the pairs were selected on: their agreement says nothing within the
    /// selection; their m and u come back as given). `fixingM`: estimate only u and the match
    /// share, m stays as given.
    public func estimate(
        vectors: [(ComparisonVector, Int)], initialM: [[Double]], initialU: [[Double]], initialMatchShare: Double = 0.1,
        ignoring: Set<ComparisonField> = [], fixingM: Bool = false
    ) -> Result {
        let fields = ComparisonField.allCases.filter { !ignoring.contains($0) }
        var m = initialM, u = initialU
        var share = initialMatchShare
        for iteration in 1...maximumIterations {
            var mCounts = ComparisonField.allCases.map { [Double](repeating: 0, count: $0.levelCount) }
            var uCounts = mCounts
            var matchTotal = 0.0, total = 0.0
            for (vector, count) in vectors {
                var pm = share, pu = 1 - share
                for field in fields {
                    guard let level = vector[field] else { continue }
                    pm *= m[field.rawValue][Int(level)]
                    pu *= u[field.rawValue][Int(level)]
                }
                let posterior = pm + pu > 0 ? pm / (pm + pu) : 0
                let n = Double(count)
                matchTotal += posterior * n
                total += n
                for field in fields {
                    guard let level = vector[field] else { continue }
                    mCounts[field.rawValue][Int(level)] += posterior * n
                    uCounts[field.rawValue][Int(level)] += (1 - posterior) * n
                }
            }
            var newM = m, newU = u
            for field in fields {
                // A field no pair had keeps its probabilities (nothing to learn from).
                guard mCounts[field.rawValue].reduce(0, +) + uCounts[field.rawValue].reduce(0, +) > 0 else { continue }
                if !fixingM { newM[field.rawValue] = clamp(mCounts[field.rawValue].normalised()) }
                newU[field.rawValue] = clamp(uCounts[field.rawValue].normalised())
            }
            let newShare = total > 0 ? min(max(matchTotal / total, floor), 1 - floor) : share
            var change = abs(newShare - share)
            for f in 0..<newM.count {
                for l in 0..<newM[f].count {
                    change = max(change, abs(newM[f][l] - m[f][l]), abs(newU[f][l] - u[f][l]))
                }
            }
            m = newM
            u = newU
            share = newShare
            if change < tolerance {
                return Result(m: m, u: u, matchShare: share, iterations: iteration, converged: true)
            }
        }
        return Result(m: m, u: u, matchShare: share, iterations: maximumIterations, converged: false)
    }

    private func clamp(_ levels: [Double]) -> [Double] {
        levels.map { max($0, floor) }.normalised()
    }
}
