import Audit
import Foundation
import Logging
import Metrics

/// Records every disclosure before its response is sent: a response goes out only once
/// `record` returned; when it throws, the caller gets a 503 and nothing of the data. A seam so
/// tests can make recording fail; the gateway's is `LedgerDisclosureRecorder`.
public protocol DisclosureRecorder: Sendable {
    func record(_ disclosure: Disclosure) async throws
}

/// Appends each disclosure to the bus's audit ledger (the store `reentrybus audit verify` and
/// `audit search` read: `<data-dir>/audit.sqlite` or the PostgreSQL schema `audit`), which also
/// queues it for `bus.audit`, then tells the publisher there is something to send. Counts
/// `reentrybus_gateway_disclosures_total{resource}`; logs at debug without personal data.
public struct LedgerDisclosureRecorder: DisclosureRecorder {
    public let ledger: AuditLedger
    let publication: AuditPublication?
    let logger: Logger

    /// - Parameter publication: woken after each append; nil when nothing publishes (tests).
    public init(ledger: AuditLedger, publication: AuditPublication? = nil, logger: Logger) {
        self.ledger = ledger
        self.publication = publication
        self.logger = logger
    }

    public func record(_ disclosure: Disclosure) async throws {
        let entry = try await ledger.append(disclosure)
        Counter(label: "reentrybus_gateway_disclosures_total", dimensions: [("resource", disclosure.resource)]).increment()
        logger.debug("Disclosure recorded", metadata: [
            "request-id": "\(disclosure.requestId)", "sequence": "\(entry.sequence)", "persons": "\(disclosure.persons.count)",
            "withheld": "\(disclosure.withheld.count)",
        ])
        publication?.appended()
    }
}
