import Crypto
import Foundation
import Metrics
import ServiceKit

/// A bearer token's SHA-256 digest: how a signed-out token is recognised without the gateway
/// keeping the token itself. Prints as `TokenDigest(…)`: never logged.
public struct TokenDigest: Sendable, Hashable, CustomStringConvertible {
    let words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of what `token` signs (`header.payload`, the text before its last dot), not
    /// of the whole text: one token has several spellings that verify (base64url's unused low
    /// bits in the signature's last character, an ECDSA signature's other `s`), and a signed-out
    /// token must be refused in each of them.
    public init(token: String) {
        let signed = token.lastIndex(of: ".").map { token[..<$0] } ?? token[...]
        let digest = SHA256.hash(data: Data(signed.utf8))
        words = digest.withUnsafeBytes { bytes in
            (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    public static func == (a: TokenDigest, b: TokenDigest) -> Bool { a.words == b.words }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    public var description: String { "TokenDigest(…)" }
}

/// The tokens signed out of this gateway process (the web UI's sign-out, the API's
/// `POST /v1/session/sign-out`), each remembered until it expires: `BearerAuthenticator`
/// refuses them on every channel (pages, `/v1`, the live streams), and an open stream of one
/// ends at once.
///
/// Why this shape:
/// - **Keyed by the token's SHA-256 digest**, not its `jti`: the issuer's tokens need not carry
///   one, and a digest names exactly the token that was signed out (another token of the same
///   user stays valid) while the set never holds a usable credential.
/// - **Per process, in memory**: the gateway keeps no session state anywhere else, and a shared
///   store would make every request depend on it. So a sign-out holds in the process that
///   received it; behind a balancer each instance must see it (sticky sessions), or tokens must
///   be short-lived. A restart forgets the set: the tokens signed out before it are valid again
///   until they expire.
/// - **Bounded, pruned at expiry**: an entry lives no longer than its token (`exp` plus the
///   leeway; past it the authenticator refuses the token anyway). Each revocation first drops
///   the expired entries; if the set is still at `capacity`, the entry that expires soonest
///   makes room (counted in `reentrybus_gateway_revocations_evicted_total`), so memory stays
///   bounded whoever signs out how often, and what is forgotten first is what had the least
///   time left to be misused.
///
/// Thread-safe: one lock around the set and the waiting streams (`AwaitableState`);
/// continuations are resumed outside it.
public final class TokenRevocations: Sendable {
    /// Each remembered token's expiry; a stream waits for its own token to be in it.
    private let until = AwaitableState<[TokenDigest: Date]>([:])

    /// Most tokens remembered at once.
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many tokens are remembered now (expired ones included until the next revocation).
    public var count: Int { until.value.count }

    public func isRevoked(_ digest: TokenDigest) -> Bool { until.value[digest] != nil }

    /// Remembers `digest` until `expiry`, dropping what expired by `now` (and, when still full,
    /// the entry that expires soonest); ends the waits of open streams of that token.
    public func revoke(_ digest: TokenDigest, until expiry: Date, now: Date) {
        let capacity = self.capacity
        let evicted = until.update { until -> Int in
            until = until.filter { $0.value > now }
            var evicted = 0
            if until[digest] == nil {
                while until.count >= capacity, let soonest = until.min(by: { $0.value < $1.value }) {
                    until.removeValue(forKey: soonest.key)
                    evicted += 1
                }
            }
            until[digest] = max(expiry, until[digest] ?? expiry)
            return evicted
        }
        if evicted > 0 { Counter(label: "reentrybus_gateway_revocations_evicted_total").increment(by: evicted) }
    }

    /// Returns once `digest` is revoked (at once if it is already), or when the task is cancelled.
    func wait(for digest: TokenDigest) async {
        await until.wait { $0[digest] != nil }
    }
}
