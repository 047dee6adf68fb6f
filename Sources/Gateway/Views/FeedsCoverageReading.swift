import Feeds
import Storage

/// The feeds' coverage map (agencies × topics, last event, status: what `reentrybus feeds`
/// prints), read from the feeds service's database, read-only.
///
/// Who may read it: `admin` (who runs the bus), `auditor`, `analyst` and `supervisor` (who
/// must know whether an agency's data is current before relying on it), at any agency. The map
/// holds no personal data (agency ids, topics, counts and times), so it is neither redacted nor
/// recorded in the audit ledger; a refusal is answered 403 and not recorded either.
extension Gateway {
    /// The roles that may read the coverage map.
    public static let feedsReaders: Set<Role> = [.admin, .auditor, .analyst, .supervisor]

    /// Whether `caller` may read the coverage map.
    public static func mayReadFeeds(_ caller: Caller) -> Bool {
        !caller.roles.isDisjoint(with: feedsReaders)
    }

    /// The coverage map as the feeds service last assessed it.
    ///
    /// - Throws: `Problem` 403 for a caller `mayReadFeeds` refuses; 503 when this gateway does
    ///   not serve the map or its database cannot be read (yet).
    public func feedsCoverage(for caller: Caller) async throws(Problem) -> FeedCoverage {
        guard Self.mayReadFeeds(caller) else {
            throw Problem.forbidden("Only administrators, auditors, analysts and supervisors may read the feeds' coverage map.")
        }
        guard let open = views?.feeds else { throw Problem.unavailable("The feeds' coverage map is not served here.") }
        let topics = FeedTopics(catalog: catalog)
        do {
            return try await open().read { try FeedsStore($0).coverage(topics: topics) }
        } catch {
            logger.error("Feeds database unreadable", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The feeds' coverage map cannot be read right now.")
        }
    }
}
