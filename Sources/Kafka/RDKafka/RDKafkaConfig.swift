import CRdKafka

/// Builds librdkafka configuration objects. The only place that calls `rd_kafka_conf_*`.
enum RDKafkaConfig {
    /// A new `rd_kafka_conf_t` holding `properties`; the caller owns it (librdkafka takes it over
    /// in `rd_kafka_new`). Fails naming the property at fault, never its value (it may be secret).
    static func make(_ properties: [String: String]) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw KafkaError(
                    code: .invalidConfiguration,
                    operation: "configure property \(key)",
                    reason: Self.redacting(reason, key: key))
            }
        }
        return conf
    }

    /// librdkafka echoes rejected values in its message; drop them for secret properties.
    private static func redacting(_ reason: String, key: String) -> String {
        let secret = key.contains("password") || key.contains("secret") || key.hasSuffix(".key.pem")
        return secret ? "invalid value" : reason
    }
}
