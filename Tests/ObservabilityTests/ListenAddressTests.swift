import Observability
import Testing

/// The metrics listen address from configuration: what parses, and errors that name the
/// address and the fault.
@Suite struct ListenAddressTests {
    @Test func theDefaultIsLoopbackOnPrometheusExporterPort() {
        #expect(ListenAddress.default.host == "127.0.0.1")
        #expect(ListenAddress.default.port == 9464)
        #expect(ListenAddress.default.description == "127.0.0.1:9464")
        #expect(ObservabilityService.Configuration().address == .default)
    }

    @Test(arguments: [
        ("127.0.0.1:9464", "127.0.0.1", 9464),
        ("0.0.0.0:9464", "0.0.0.0", 9464),
        ("localhost:0", "localhost", 0),
        ("metrics.internal:65535", "metrics.internal", 65535),
        ("[::1]:9464", "::1", 9464),
        ("[::]:80", "::", 80),
    ])
    func parsesHostAndPort(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == text)
        #expect(try ListenAddress(host: host, port: port) == address)
    }

    @Test(arguments: [
        ("", "is empty"),
        ("9464", "has no port"),
        ("localhost", "has no port"),
        (":9464", "has no host"),
        ("[]:9464", "has no host"),
        ("localhost:", "has port \"\""),
        ("localhost:http", "has port \"http\""),
        ("localhost:-1", "has port \"-1\""),
        ("localhost:65536", "has port \"65536\""),
        ("localhost:0009464", "has port \"0009464\""),
        ("::1:9464", "IPv6 address without brackets"),
        ("[::1]9464", "has no :PORT"),
        ("[::1:9464", "has no closing ]"),
        ("local host:9464", "contains a space"),
    ])
    func rejectsABadAddressNamingItAndTheFault(text: String, fault: String) {
        #expect {
            try ListenAddress(parsing: text)
        } throws: { error in
            guard case .invalidListenAddress(let address, let reason) = error as? ObservabilityError else { return false }
            let description = (error as? ObservabilityError)?.description ?? ""
            return address == text && reason.contains(fault) && description.contains("\"\(text)\"") && description.contains(fault)
        }
    }
}
