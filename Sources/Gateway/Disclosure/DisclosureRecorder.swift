import Contracts
import Foundation
import Logging
import Metrics

/// One disclosure: who saw what about whom, when and why. What the audit ledger will append
/// for every response that carries event or notification data.
public struct Disclosure: Sendable, Hashable {
    public var caller: Caller
    /// The request's id (`x-request-id`, or one the gateway made), also in the response.
    public var requestId: String
    /// The route, e.g. `GET /v1/inbox`.
    public var route: String
    /// The persons whose data was disclosed (state IDs); empty when none could be named.
    public var persons: [String]
    /// The members disclosed, by classification (`public` included), e.g. `public: [$.id, …]`.
    public var fieldsByClassification: [FieldClassification: [String]]
    /// The members withheld, by path.
    public var withheld: [String]
    public var at: Date

    public init(
        caller: Caller, requestId: String, route: String, persons: [String],
        fieldsByClassification: [FieldClassification: [String]], withheld: [String], at: Date
    ) {
        self.caller = caller
        self.requestId = requestId
        self.route = route
        self.persons = persons
        self.fieldsByClassification = fieldsByClassification
        self.withheld = withheld
        self.at = at
    }
}

/// Records every disclosure before its response is sent: a response goes out only once
/// `record` returned; when it throws, the caller gets a 503 and nothing of the data.
public protocol DisclosureRecorder: Sendable {
    func record(_ disclosure: Disclosure) async throws
}

/// The recorder until the audit ledger replaces it: a debug log line without personal data
/// (who, agency, route, how many persons and fields; never the persons' ids) and a counter,
/// `reentrybus_gateway_disclosures_total{route}`.
public struct LoggingDisclosureRecorder: DisclosureRecorder {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func record(_ disclosure: Disclosure) async throws {
        Counter(label: "reentrybus_gateway_disclosures_total", dimensions: [("route", disclosure.route)]).increment()
        logger.debug("Disclosure", metadata: [
            "request-id": "\(disclosure.requestId)", "route": "\(disclosure.route)", "agency": "\(disclosure.caller.agencyId)",
            "roles": "\(disclosure.caller.roles.map(\.rawValue).sorted().joined(separator: ","))", "purpose": "\(disclosure.caller.purpose)",
            "persons": "\(disclosure.persons.count)", "withheld": "\(disclosure.withheld.count)",
        ])
    }
}
