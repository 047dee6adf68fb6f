import Foundation

/// A `host:port` an HTTP endpoint listens on (`0.0.0.0:9464`, `[::]:9464`, `127.0.0.1:9464`):
/// the metrics and health endpoint's address.
public struct ListenAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// A name or an address, IPv6 without its brackets (`::`).
    public var host: String
    /// 1 to 65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (an IPv6 address in brackets); the error says what is wrong, without
    /// repeating the text.
    public init(parsing text: String) throws(ListenAddressError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .notHostColonPort
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { throw .notHostColonPort }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "," }) else { throw .badHost }
        guard let number = Int(port), (1...65_535).contains(number) else { throw .badPort }
        self.init(host: String(host), port: number)
    }

    /// `host:port`, an IPv6 host in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Why a `HOST:PORT` was refused.
public enum ListenAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    case notHostColonPort
    case badHost
    case badPort

    public var description: String {
        switch self {
        case .notHostColonPort: "is not HOST:PORT (an IPv6 address in brackets: [::]:9464)"
        case .badHost: "has an empty host, or one with spaces, slashes or commas"
        case .badPort: "has a port that is not a number from 1 to 65535"
        }
    }
}
