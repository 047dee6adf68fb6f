import Settings

/// The environment variables the `reentrybus` binary reads, from the configuration module
/// itself: the one list docker-compose.yml and the Dockerfile are compared against, so a
/// variable the binary does not read (silently ignored in production) fails a test.
let agreedEnvironmentVariables: Set<String> = Set(ConfigurationKey.environmentVariables)

/// The prefix of the binary's variables: any other variable in the file is for another program
/// (Kafka, PostgreSQL) and not checked against the list.
let reentryBusVariablePrefix = "REENTRYBUS_"
