import Contracts
import Foundation
import Policy
import ServiceKit

/// One entry of the audit ledger, as stored and as published on `bus.audit`
/// (`bus.disclosure.recorded` version 1): a ``Disclosure`` placed in its ledger's chain.
///
/// The chain: `previousHash` is the SHA-256 of the previous entry's encoded bytes (64 zeros for
/// the first), so changing, removing or reordering an entry breaks the link after it. The
/// bytes hashed are the ones stored and published, never re-encoded.
public struct AuditEntry: Sendable, Hashable, Codable {
    public static let topic = BusTopic.audit
    public static let eventType = "bus.disclosure.recorded"
    public static let schemaVersion = 1
    /// The previous hash of a ledger's first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Who received the data, as recorded (roles and kind as glossary codes).
    public struct RecordedRequester: Sendable, Hashable, Codable {
        public var subject: String
        public var agencyId: String?
        public var agencyKind: String?
        public var roles: [AccessRole]
    }

    public var id: String
    public var ledger: String
    public var sequence: Int64
    public var previousHash: String
    public var at: Date
    public var requester: RecordedRequester
    public var purpose: AccessPurpose
    public var requestId: String
    public var channel: DisclosureChannel
    public var resource: String
    public var persons: [PersonIdentifier]
    public var disclosed: [DisclosedField]
    public var withheld: [WithheldField]
    /// `disclosed` or `denied`; absent in entries written before denials were recorded (they
    /// were all disclosures).
    public var outcome: DisclosureOutcome?
    /// Why a denied request was refused; absent for disclosures.
    public var denialReason: DenialReason?

    /// Whether the entry records a refusal.
    public var isDenial: Bool { outcome == .denied }

    init(_ disclosure: Disclosure, id: String, ledger: String, sequence: Int64, previousHash: String) {
        self.id = id
        self.ledger = ledger
        self.sequence = sequence
        self.previousHash = previousHash
        // Milliseconds, as the encoding keeps them: the entry returned is the one stored.
        at = Date(timeIntervalSince1970: (disclosure.at.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        requester = RecordedRequester(
            subject: disclosure.requester.subject, agencyId: disclosure.requester.agencyId,
            agencyKind: disclosure.requester.agencyKind, roles: disclosure.requester.roles)
        purpose = disclosure.requester.purpose
        requestId = disclosure.requestId
        channel = disclosure.channel
        resource = disclosure.resource
        persons = disclosure.persons
        disclosed = disclosure.disclosed
        withheld = disclosure.withheld
        outcome = disclosure.outcome
        denialReason = disclosure.denialReason
    }

    /// The stored and published bytes: sorted members, RFC 3339 instant.
    public func encoded() throws -> [UInt8] {
        try EventCodec.encodeJSON(self)
    }

    /// Reads stored or published bytes.
    public static func decode(_ bytes: [UInt8]) throws -> AuditEntry {
        try EventCodec.decodeJSON(AuditEntry.self, from: bytes)
    }

    /// SHA-256 of `bytes`, lower-case hex: an entry's hash, its successor's `previousHash`.
    public static func hash(_ bytes: [UInt8]) -> String {
        var function = SHA256()
        function.update(bytes)
        return function.finalize().hexString
    }
}
