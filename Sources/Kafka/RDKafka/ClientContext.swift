import CRdKafka
import Logging
import Synchronization

/// What librdkafka's callbacks need: the logger, the statistics sink, the consumer's rebalance
/// handling and the first fatal error. Passed to librdkafka as the client's opaque pointer and
/// kept alive until the handle is destroyed.
///
/// Callbacks run on the client's own poll thread, except the log callback, which librdkafka may
/// call from its internal threads: everything here is immutable or behind a `Mutex`.
final class ClientContext: Sendable {
    /// Runs on the thread that serves the consumer queue, during the rebalance; the argument
    /// is valid only for the duration of the call.
    typealias RebalanceCallback = @Sendable (RDKafkaRebalance) -> Void

    let logger: Logger
    let statistics: KafkaStatisticsReporter
    let rebalance: RebalanceCallback?
    private let fatal = Mutex<KafkaError?>(nil)

    init(logger: Logger, statistics: KafkaStatisticsReporter, rebalance: RebalanceCallback? = nil) {
        self.logger = logger
        self.statistics = statistics
        self.rebalance = rebalance
    }

    /// The fatal error that ended this client, if one did.
    var fatalError: KafkaError? { fatal.withLock { $0 } }

    func recordFatal(_ error: KafkaError) {
        fatal.withLock { if $0 == nil { $0 = error } }
    }

    static func from(_ handle: OpaquePointer?) -> ClientContext? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

extension Logger.Level {
    /// librdkafka logs with syslog levels (0 emergency … 7 debug).
    init(syslogLevel: Int32) {
        switch syslogLevel {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}
