/// The environment variables the `reentrybus` binary reads (the names agreed for issue 12), the one
/// list the deployment tests compare docker-compose.yml against: a variable the binary does not
/// read would be silently ignored in production.
///
/// Replace with the binary's own list once the configuration module exports it, so that the two
/// cannot drift apart.
let agreedEnvironmentVariables: Set<String> = [
    "REENTRYBUS_CONFIG",
    "REENTRYBUS_BOOTSTRAP",
    "REENTRYBUS_DATA_DIR",
    "REENTRYBUS_GROUP_PREFIX",
    "REENTRYBUS_DATABASE_URL",
    "REENTRYBUS_LOG_LEVEL",
    "REENTRYBUS_LOG_FORMAT",
    "REENTRYBUS_METRICS_LISTEN",
    "REENTRYBUS_NOTIFICATION_KEY",
    "REENTRYBUS_NOTIFICATION_KEY_FILE",
    "REENTRYBUS_KAFKA_SECURITY_PROTOCOL",
    "REENTRYBUS_KAFKA_SASL_MECHANISM",
    "REENTRYBUS_KAFKA_SASL_USERNAME",
    "REENTRYBUS_KAFKA_SASL_PASSWORD",
    "REENTRYBUS_KAFKA_SASL_PASSWORD_FILE",
    "REENTRYBUS_KAFKA_TLS_CA_FILE",
    "REENTRYBUS_KAFKA_TLS_CERT_FILE",
    "REENTRYBUS_KAFKA_TLS_KEY_FILE",
    "REENTRYBUS_KAFKA_TLS_KEY_PASSWORD_FILE",
    "REENTRYBUS_SESSION_TIMEOUT",
    "REENTRYBUS_CONNECT_TIMEOUT",
    "REENTRYBUS_SHUTDOWN_DEADLINE",
]

/// The prefix of the binary's variables: any other variable in the file is for another program
/// (Kafka, PostgreSQL) and not checked against the list.
let reentryBusVariablePrefix = "REENTRYBUS_"
