@testable import PersonIndex
import Testing

/// Who counts as a rival to a held link (a bare initial, a missing date of birth): record 0 is
/// dated, record 1 is the undated one held with it, record 2 a third record paired with 1.
@Suite struct PlausiblePartnersRivals {
    private func hasRival(partnerWeight: Double, contradicted: Bool, margin: Double?) -> Bool {
        var partners = PlausiblePartners(recordCount: 3)
        partners.add(0, 1, weight: 20, contradicted: false)
        partners.add(1, 2, weight: partnerWeight, contradicted: contradicted)
        var clusters = PersonClusters(recordIds: ["a", "b", "c"])
        return partners.hasRival(0, 1, weight: 20, outweighs: margin, clusters: &clusters) { _, _ in false }
    }

    /// A relative named otherwise at the same address scores for review on family name and
    /// address alone; the pair contradicts one person, so it is no rival.
    @Test func aContradictingPartnerIsNoRival() {
        #expect(hasRival(partnerWeight: 3, contradicted: false, margin: nil))
        #expect(!hasRival(partnerWeight: 3, contradicted: true, margin: nil))
    }

    /// With a margin, a partner that many bits weaker is no rival; one nearly as strong is.
    @Test func aFarWeakerPartnerIsNoRivalWithAMargin() {
        #expect(!hasRival(partnerWeight: 12, contradicted: false, margin: 8))
        #expect(hasRival(partnerWeight: 12.5, contradicted: false, margin: 8))
        #expect(hasRival(partnerWeight: 12, contradicted: false, margin: nil))
    }

    /// Given names or sexes disagreeing outright, or dates of birth two components apart, are
    /// evidence of two people; a date one component off is a slip.
    @Test func whatContradictsOnePerson() {
        func vector(given: UInt8? = 5, sex: UInt8? = 1, born: UInt8? = 5) -> ComparisonVector {
            var vector = ComparisonVector()
            vector[.givenName] = given
            vector[.sex] = sex
            vector[.dateOfBirth] = born
            return vector
        }
        #expect(!vector().contradictsOnePerson)
        #expect(vector(given: 0).contradictsOnePerson)
        #expect(vector(sex: 0).contradictsOnePerson)
        #expect(vector(born: 1).contradictsOnePerson && vector(born: 0).contradictsOnePerson)
        #expect(!vector(born: 2).contradictsOnePerson && !vector(born: nil).contradictsOnePerson && !vector(given: nil, sex: nil).contradictsOnePerson)
    }
}
