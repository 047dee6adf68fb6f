import Crypto
import Foundation
import Metrics
import Synchronization

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
/// Thread-safe: one lock around the set and the waiting streams; continuations are resumed
/// outside it.
public final class TokenRevocations: Sendable {
    private struct State {
        var until: [TokenDigest: Date] = [:]
        var waiters: [UUID: (digest: TokenDigest, continuation: CheckedContinuation<Void, Never>)] = [:]
        var cancelled: Set<UUID> = []
    }

    /// Most tokens remembered at once.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many tokens are remembered now (expired ones included until the next revocation).
    public var count: Int { state.withLock { $0.until.count } }

    public func isRevoked(_ digest: TokenDigest) -> Bool { state.withLock { $0.until[digest] != nil } }

    /// Remembers `digest` until `expiry`, dropping what expired by `now` (and, when still full,
    /// the entry that expires soonest); ends the waits of open streams of that token.
    public func revoke(_ digest: TokenDigest, until expiry: Date, now: Date) {
        let (woken, evicted) = state.withLock { state -> ([CheckedContinuation<Void, Never>], Int) in
            state.until = state.until.filter { $0.value > now }
            var evicted = 0
            if state.until[digest] == nil {
                while state.until.count >= capacity, let soonest = state.until.min(by: { $0.value < $1.value }) {
                    state.until.removeValue(forKey: soonest.key)
                    evicted += 1
                }
            }
            state.until[digest] = max(expiry, state.until[digest] ?? expiry)
            let ids = state.waiters.filter { $0.value.digest == digest }.map(\.key)
            return (ids.compactMap { state.waiters.removeValue(forKey: $0)?.continuation }, evicted)
        }
        if evicted > 0 { Counter(label: "reentrybus_gateway_revocations_evicted_total").increment(by: evicted) }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once `digest` is revoked (at once if it is already), or when the task is cancelled.
    func wait(for digest: TokenDigest) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.until[digest] != nil || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = (digest, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiters.removeValue(forKey: id)
                if waiter == nil { state.cancelled.insert(id) }
                return waiter
            }
            waiter?.continuation.resume()
        }
        // A cancellation that came after the wait was resumed (and found no waiter) left its id
        // behind for a wait that will never come: forget it (the handler runs no more now).
        _ = state.withLock { $0.cancelled.remove(id) }
    }
}
