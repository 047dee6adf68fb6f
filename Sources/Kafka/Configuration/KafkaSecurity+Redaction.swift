// Secrets (a SASL password, a TLS key password) must not reach a log line or an error text by
// way of string interpolation, `dump` or a debugger's reflection: every security value prints
// its shape with the secrets masked.

extension KafkaSecurity: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { "KafkaSecurity(\(description))" }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

extension KafkaSecurity.SASL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SASL(mechanism: \(mechanism.rawValue), username: \(username), password: ********)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["mechanism": mechanism.rawValue, "username": username, "password": "********"], displayStyle: .struct)
    }
}

extension KafkaSecurity.TLS: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "TLS(ca: \(caLocation ?? "system"), certificate: \(certificateLocation ?? "none"), key: \(keyLocation ?? "none"), "
            + "keyPassword: \(keyPassword == nil ? "none" : "********"), verifyHostname: \(verifyHostname))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: [
            "caLocation": caLocation as Any, "certificateLocation": certificateLocation as Any, "keyLocation": keyLocation as Any,
            "keyPassword": keyPassword == nil ? "none" : "********", "verifyHostname": verifyHostname,
        ], displayStyle: .struct)
    }
}
