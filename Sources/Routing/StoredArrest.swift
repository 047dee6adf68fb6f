import Contracts

/// An arrest the router keeps so that a case read after it can still match it.
public struct StoredArrest: Sendable {
    public var event: EventEnvelope<ArrestMade>
    /// When the router may forget it (event clock, ms since 1970); nil: kept.
    public var forgetAfterMilliseconds: Int64?

    public init(event: EventEnvelope<ArrestMade>, forgetAfterMilliseconds: Int64?) {
        self.event = event
        self.forgetAfterMilliseconds = forgetAfterMilliseconds
    }
}
