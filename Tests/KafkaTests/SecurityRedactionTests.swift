import Testing

@testable import Kafka

/// A secret in a security setting never prints, whichever way a value is turned into text.
@Suite struct SecurityRedactionTests {
    let secret = "s3cr3t-DoNotPrint"

    @Test func saslAndTLSSecretsNeverPrint() {
        let sasl = KafkaSecurity.SASL(mechanism: .scramSHA512, username: "router", password: secret)
        let tls = KafkaSecurity.TLS(caLocation: "/ca.pem", keyLocation: "/key.pem", keyPassword: secret)
        let security = KafkaSecurity.sasl(sasl, tls: tls)
        for value in [any Sendable](arrayLiteral: sasl, tls, security) {
            var dumped = ""
            dump(value, to: &dumped)
            for text in ["\(value)", String(reflecting: value), dumped] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        #expect("\(sasl)".contains("router"))
        // librdkafka still gets it.
        #expect(security.rdKafkaProperties["sasl.password"] == secret)
        #expect(security.rdKafkaProperties["ssl.key.password"] == secret)
    }
}
