extension PostgresStorage.Configuration {
    /// What the connection calls itself (PostgreSQL's `application_name`, shown in
    /// `pg_stat_activity`): `reentrybus:<schema>`, or `reentrybus` without one. It tells who
    /// has a schema open — `reentrybus replay` swaps a service's schema in only while nobody
    /// else has it open — and names the connection for an operator.
    public var applicationName: String {
        Self.applicationName(forSchema: schema)
    }

    /// The `applicationName` of a connection to `schema`. PostgreSQL keeps at most 63 bytes
    /// (`NAMEDATALEN` − 1); the name is cut there too, so it equals what the server shows
    /// (a schema name is ASCII: ``inSchema(_:)`` admits nothing else).
    public static func applicationName(forSchema schema: String?) -> String {
        String((schema.map { "reentrybus:\($0)" } ?? "reentrybus").prefix(63))
    }
}
