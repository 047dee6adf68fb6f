import ArgumentParser
import Settings

/// Where a service's state lives, as `serve`, `replay` and `view` all find it: the data
/// directory of the SQLite files, or another database (`--database`). One definition, so the
/// three commands read the same flags with the same help and the same configuration keys.
struct ServiceStateOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The directory of the services' SQLite databases, <service>.sqlite (default: .reentrybus/serve; for view, .reentrybus/dev).",
        valueName: "path"))
    var dataDir: String?

    @Option(help: ArgumentHelp(
        "Where the services keep their state: sqlite (files in --data-dir, the default), sqlite:DIRECTORY, or postgres://USER@HOST:PORT/DATABASE.",
        valueName: "database"))
    var database: String?

    /// Sets the flags' layer of the configuration; `defaultDataDirectory` replaces the
    /// configuration's default when neither the flag nor a configuration file gives one.
    func apply(to flags: inout ConfigurationFlags, defaultDataDirectory: String? = nil) {
        flags.set(.dataDirectory, dataDir ?? defaultDataDirectory, flag: "--data-dir")
        flags.set(.database, database, flag: "--database")
    }
}

/// How a command reaches the Kafka cluster (`serve`, `replay`).
struct BrokerConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Kafka bootstrap servers, HOST:PORT[,HOST:PORT…] (default: localhost:9092).", valueName: "servers"))
    var bootstrap: String?

    @Option(help: ArgumentHelp("Seconds to wait at start for a broker to answer before failing (default: 30).", valueName: "seconds"))
    var connectTimeout: Double?

    /// Sets the flags' layer of the configuration.
    func apply(to flags: inout ConfigurationFlags) {
        flags.set(.bootstrap, bootstrap, flag: "--bootstrap")
        flags.set(.connectTimeout, connectTimeout, flag: "--connect-timeout")
    }
}
