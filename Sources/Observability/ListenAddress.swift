/// Where the observability endpoint listens: `host:port`, from configuration
/// (`REENTRYBUS_METRICS_LISTEN`). Default `127.0.0.1:9464` (Prometheus' port for exporters,
/// on loopback so that nothing is exposed unless an operator says so: a container sets
/// `0.0.0.0:9464`).
///
/// The host is a name or an IPv4 address, or an IPv6 address in brackets (`[::1]:9464`). Port 0
/// asks the system for a free port (tests); `ObservabilityService` reports the one it got.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host as given, without IPv6 brackets.
    public var host: String
    /// 0 to 65535.
    public var port: Int

    /// `127.0.0.1:9464`.
    public static let `default` = ListenAddress(uncheckedHost: "127.0.0.1", port: 9464)

    private init(uncheckedHost host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Checks `host` and `port` as `init(parsing:)` does.
    public init(host: String, port: Int) throws(ObservabilityError) {
        self = try ListenAddress(parsing: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
    }

    /// Parses `host:port` (`[v6-address]:port` for IPv6).
    ///
    /// - Throws: `ObservabilityError.invalidListenAddress` naming the address and what is wrong
    ///   with it (no port, a port that is not a number from 0 to 65535, no host, spaces, an
    ///   IPv6 address without brackets).
    public init(parsing text: String) throws(ObservabilityError) {
        func invalid(_ reason: String) -> ObservabilityError { .invalidListenAddress(address: text, reason: reason) }
        guard !text.isEmpty else { throw invalid("is empty; expected HOST:PORT, e.g. 127.0.0.1:9464") }
        guard !text.contains(where: { $0.isWhitespace }) else { throw invalid("contains a space") }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("has no closing ] after the IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw invalid("has no :PORT after the IPv6 address") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid("has no port; expected HOST:PORT, e.g. 127.0.0.1:9464") }
            host = text[..<colon]
            guard !host.contains(":") else { throw invalid("is an IPv6 address without brackets; write [ADDRESS]:PORT") }
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw invalid("has no host; use 0.0.0.0 to listen on every interface") }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 5,
              let port = Int(portText), port <= 65_535
        else { throw invalid("has port \"\(portText)\", which is not a number from 0 to 65535") }
        self.init(uncheckedHost: String(host), port: port)
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
