// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ReentryBus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reentrybus", targets: ["reentrybus"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "Contracts", targets: ["Contracts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        // SHA-256 and HMAC on the hot path (BoringSSL with the CPU's SHA instructions); the
        // gateway's JWT verification (jwt-kit) builds on the same package.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        // PostgreSQL's wire protocol for the Storage module's PostgreSQL backend.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        // Property-based tests (Swift Testing): the router's notifications do not depend on how
        // its topics interleave. Tests only; no dependencies of its own.
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        // The gateway's JWT verification (RS256/ES256 from a JWKS file): on swift-crypto, which
        // the bus already builds; adds swift-certificates' X509 (already in the graph through
        // postgres-nio's TLS) and swift-extras-base64.
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        // HTTP field names of the gateway's own headers (x-request-id); already built for Hummingbird.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        // The web UI's templates (Mustache, HTML-escaped by default); no dependencies of its own.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // The gateway's webhook deliveries and the load driver (`reentrybus bench gateway`);
        // already in the graph through HummingbirdTesting.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
    ],
    targets: [
        // Debian's librdkafka-dev (pkg-config `rdkafka`): rdkafka.h and rdkafka_mock.h.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The raw-librdkafka baseline the Kafka benchmark compares against (plain C, no Swift).
        .target(
            name: "KafkaBaseline",
            linkerSettings: [.linkedLibrary("rdkafka")]
        ),
        // Resources/Topics is a symbolic link to the repository's Topics/ (where partners and the
        // docs expect the contracts). `.process` reads through the link (`.copy` would copy the link
        // itself) and puts every file at the bundle's top level; see TopicCatalog+Embedded.swift.
        .target(
            name: "Contracts",
            dependencies: ["Placeholders", .product(name: "Yams", package: "Yams")],
            resources: [.process("Resources/Topics")]
        ),
        // Contracts applied to Kafka: `topics apply` and `publish` (file import) logic.
        .target(
            name: "ContractTools",
            dependencies: [
                "Contracts",
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Release-mode benchmarks behind `reentrybus bench`, each beside its baseline.
        .target(
            name: "Benchmarks",
            dependencies: [
                "Kafka",
                "KafkaBaseline",
                "Contracts",
                "ContractTools",
                "Pipeline",
                "Demo",
                "ReadModels",
                "ServiceKit",
                "Notifications",
                "Storage",
                "LocalPostgres",
                "PersonIndex", "PersonIndexStore", "SyntheticPersons",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // One storage interface over SQLite (GRDB) and PostgreSQL (postgres-nio): synchronous
        // statements inside one transaction, typed rows and errors, SQL written once for both.
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The consumer-service runtime: a SQLite database per service whose transactions hold a
        // batch's effects and its consumed offsets, the outbox, the batch loop, shutdown.
        .target(
            name: "ServiceKit",
            dependencies: [
                "Kafka",
                "Contracts",
                "Placeholders",
                "Storage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Notifications (deterministic ids), the bus.notifications format and the inbox read model.
        .target(
            name: "Notifications",
            dependencies: [
                "ServiceKit", "Timers", "Directory",
                "Kafka",
                "Contracts",
                .product(name: "Crypto", package: "swift-crypto"),
                "Storage",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The router: active supervision cases; "supervisee arrested → supervising officer".
        .target(
            name: "Routing",
            dependencies: [
                "ServiceKit", "Notifications", "Contracts", "Placeholders",
                "Storage", "Subscriptions", "Directory", "Timers",
                // Case events read before their case's start are kept as admitted events.
                "Kafka",
                // Arrests without a state ID follow bus.identity: record ids named exactly as
                // the person index names them (PersonRecordIds), one derivation for both.
                "PersonIndexStore",
                // The router's copy of bus.identity (record -> person), shared with the warrant resolver.
                "PersonLinks",
                // A police contact at a supervisee's registered address: addresses compared as
                // the officer-safety check compares them (AddressKey, coordinates).
                "Places",
            ]
        ),
        // The agency directory (reference.agencies): which police agency serves a place, which
        // prosecutor a court; as a value and as reference state in a service's database.
        .target(
            name: "Directory",
            dependencies: [
                "ServiceKit", "Contracts",
                "Storage",
            ]
        ),
        // Explicit subscriptions (bus.subscriptions): the value, the rules a new or renewed one
        // must meet (purpose, legal basis, one-year expiry, agencies in the directory), and the
        // store the router will look them up in (a person, a place, an agency's feed, expiring).
        .target(
            name: "Subscriptions",
            dependencies: [
                "ServiceKit", "Contracts", "Directory",
                "Storage",
            ]
        ),
        // The bus's clock (`bus.timers`): the tick every time-dependent rule reads as "now", and
        // the scheduler service that writes one a minute.
        .target(
            name: "Timers",
            dependencies: [
                "ServiceKit", "Storage", "Contracts", "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Feed liveness: per agency × topic the last event and its count against an expected
        // cadence; alarms when a feed falls silent, all-clears when it publishes again.
        .target(
            name: "Feeds",
            dependencies: [
                "ServiceKit", "Notifications", "Contracts", "Directory", "Timers",
                "Storage",
            ]
        ),
        // The warrant resolver: active warrants, warrant checks per scheduled release.
        .target(
            name: "Warrants",
            dependencies: [
                "ServiceKit", "Notifications", "Contracts", "Directory",
                "Storage", "Timers",
                // Releases, warrants and detainers matched through bus.identity: record ids named
                // as the person index names them, the mapping kept as the router keeps it.
                "PersonIndexStore", "PersonLinks",
            ]
        ),
        // The access policy (Policy/access-policy.yaml, built in through the symbolic link
        // Resources/access-policy.yaml): role × agency kind × classification × purpose, deny by
        // default, and the engine that redacts values field by field from the contracts.
        .target(
            name: "Policy",
            dependencies: ["Contracts", "Placeholders", .product(name: "Yams", package: "Yams")],
            resources: [.embedInCode("Resources/access-policy.yaml"), .embedInCode("Resources/views.yaml")]
        ),
        // The audit ledger: every disclosure appended to a hash-chained, append-only store
        // (SQLite or PostgreSQL) and, through its outbox, to bus.audit; verify and search.
        .target(
            name: "Audit",
            dependencies: [
                "Policy", "Contracts", "Storage", "ServiceKit", "Kafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The person index's matching core: records, normalisation, comparators (Jaro-Winkler,
        // Damerau-Levenshtein, NYSIIS), strong-identifier links, blocking, a Fellegi-Sunter model
        // estimated by EM, clusters. Pure: Foundation and Placeholders, no Kafka (`persons resolve` runs
        // it offline).
        // Optimised in debug builds too: its tests resolve hundreds of generated records a test,
        // and unoptimised string comparators made them a quarter of the test suite's CPU time.
        .target(name: "PersonIndex", dependencies: ["Placeholders"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The person index's state on a database (SQLite or PostgreSQL): records, persons,
        // the review queue and human decisions, each change returning its bus.identity events.
        // Apart from PersonIndex so that the matching core stays pure (Foundation only) and
        // `persons resolve` and the benchmarks do not link a database.
        .target(name: "PersonIndexStore", dependencies: ["PersonIndex", "Storage", "Contracts", "ServiceKit"]),
        // The person index as a bus service: every agency event naming a person indexed, its
        // bus.identity decisions published through the outbox in the batch's transaction.
        // A service's own copy of bus.identity (record -> person, versioned decisions, merges,
        // the digests of sealed records): the router and the warrant resolver each keep one in
        // tables of their own. Apart from PersonIndexStore, the index's own state.
        .target(name: "PersonLinks", dependencies: ["Contracts", "Storage", "ServiceKit"]),
        .target(name: "PersonIndexService", dependencies: ["PersonIndex", "PersonIndexStore", "ServiceKit", "Contracts", "Storage", "Kafka"]),
        // Synthetic person records with known truth (typos, nicknames, swapped dates, families,
        // twins) for `bench persons` and the tests: kept out of the PersonIndex module like Demo.
        .target(name: "SyntheticPersons", dependencies: ["PersonIndex"]),
        // Addresses and coordinates for the officer-safety check and the router's contact rules:
        // a street address in one normalised form (USPS Publication 28) and distances on the
        // globe. Pure: Foundation and Placeholders.
        .target(name: "Places", dependencies: ["Placeholders"]),
        // Values agencies' systems write where they have none ("HOMELESS" for an address line,
        // "UNKNOWN" or zeros for a person's number), which every reader takes as missing: one
        // definition for the contracts' decoders, the address keys and the person index. Pure.
        .target(name: "Placeholders"),
        // Each agency's read models (views): supervision caseload, police, release coordinator,
        // reentry services, courts. Stores over the storage seam, so SQLite and PostgreSQL alike.
        .target(
            name: "ReadModels",
            dependencies: ["ServiceKit", "Storage", "Contracts", "Directory", "Notifications", "Places", "Placeholders"]
        ),
        // Per-process observability: swift-metrics exported in Prometheus format, and the
        // health endpoints, on one HTTP listener (a ServiceLifecycle service).
        .target(
            name: "Observability",
            dependencies: [
                "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The HTTP gateway: ingest for systems that cannot speak Kafka (validated, answered once
        // the broker acknowledged, idempotent by event id), the caller's inbox and its acks,
        // JWT bearer authentication; every disclosure through a filter and a recorder.
        .target(
            name: "Gateway",
            dependencies: [
                "Contracts", "ContractTools", "Kafka", "Notifications", "ServiceKit", "Storage", "Policy", "Audit", "Directory", "Placeholders",
                // The views; the disclosure context: bulletins' consent (the police view), Part 23 subscriptions.
                "ReadModels", "Warrants", "Subscriptions",
                // The feeds' coverage map (the web UI's feeds page).
                "Feeds",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Resources/openapi.json")]
        ),
        // The web UI: server-rendered pages on the gateway's router (sign-in, inbox), under the
        // gateway's authentication, policy and audit. Templates, CSS and JS are embedded in the
        // code, so the binary needs no resource bundle beside it.
        .target(
            name: "WebUI",
            dependencies: [
                "Gateway", "Contracts", "Notifications", "Policy",
                // The tool pages: audit entries, the feeds' coverage map.
                "Audit", "Feeds",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Resources/layout.mustache"), .embedInCode("Resources/signin.mustache"),
                .embedInCode("Resources/inbox.mustache"), .embedInCode("Resources/notification.mustache"),
                .embedInCode("Resources/message.mustache"), .embedInCode("Resources/card.mustache"),
                .embedInCode("Resources/app.css"), .embedInCode("Resources/app.js"),
                // The view pages (ViewPages.swift).
                .embedInCode("Resources/caseload.mustache"), .embedInCode("Resources/releases.mustache"),
                .embedInCode("Resources/warrant-checks.mustache"), .embedInCode("Resources/person.mustache"),
                // The tool pages.
                .embedInCode("Resources/safety-check.mustache"), .embedInCode("Resources/feeds.mustache"),
                .embedInCode("Resources/audit.mustache"),
            ]
        ),
        // The application builder: one ApplicationConfiguration → the broker (embedded or
        // external), topic setup and every service in one ServiceGroup, with a shutdown deadline;
        // what `dev`, `serve`, `broker`, the benchmark and the tests run.
        .target(
            name: "Pipeline",
            dependencies: [
                "Observability", "Gateway", "Policy", "Audit",
                "ServiceKit", "Notifications", "Routing", "Warrants", "ReadModels", "Feeds", "Kafka", "Contracts", "ContractTools", "Storage",
                "Timers", "PersonIndexService", "PersonIndex", "PersonIndexStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The demo scenario of `dev --demo`, its event builders (also the benchmark's and the
        // tests'): data for demonstrations, kept out of the services' modules.
        .target(
            name: "Demo",
            dependencies: [
                "Pipeline", "ServiceKit", "Kafka", "Contracts", "Timers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The deployment configuration: one YAML file, environment overrides and flags over
        // built-in defaults; Kafka security with secrets from the environment or files, masked
        // when printed; the JSON log format. What `serve`, `topics apply`, `publish` and
        // `config check` read.
        .target(
            name: "Settings",
            dependencies: [
                "Kafka",
                "Notifications",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "reentrybus",
            dependencies: [
                "Observability", "Gateway", "WebUI", "ServiceKit", "Placeholders",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                "Settings",
                "Kafka",
                "Contracts",
                "ContractTools",
                "Benchmarks",
                "Pipeline",
                "Demo",
                "Storage",
                "ReadModels",
                "Directory",
                "Subscriptions",
                "Notifications",
                "Feeds",
                "Timers",
                "Policy", "Audit",
                "PersonIndex", "PersonIndexStore", "SyntheticPersons",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The fuzz harness for everything that reads untrusted bytes (JSON, schemas, import
        // files, headers): its own mutation fuzzer, or libFuzzer when scripts/fuzz builds it
        // with -sanitize=fuzzer. Run outside `swift test`; seeds in Fuzz/corpus.
        .executableTarget(
            name: "reentrybus-fuzz",
            dependencies: ["Contracts", "ContractTools", .product(name: "Logging", package: "swift-log")],
            path: "Fuzz/Sources"
        ),
        // A private PostgreSQL cluster from Debian's binaries in a temporary directory, and the
        // child-process, free-port and deadline helpers it needs: for the tests (through
        // TestSupport) and `bench replay`, which must not link swift-testing.
        // Child processes started with posix_spawn (Foundation's Process crashed on Linux).
        .target(name: "CSpawn"),
        .target(name: "LocalPostgres", dependencies: ["ServiceKit", "CSpawn"]),
        // Helpers shared by the test targets that run Kafka (not part of any product).
        .target(
            name: "TestSupport",
            dependencies: [
                "Kafka", "ServiceKit", "Demo", "Contracts", "Notifications", "Routing", "Storage", "LocalPostgres", "Timers",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TestSupport"]),
        // The same conformance tests against SQLite and a private PostgreSQL cluster (TestSupport).
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"]),
        // Notifications: its BusNotification encoding is checked against the bus.notifications contract.
        .testTarget(name: "ContractsTests", dependencies: ["Contracts", "Notifications", "Placeholders"]),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "Kafka", "Contracts", "TestSupport", "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ContractToolsTests",
            dependencies: ["ContractTools", "Contracts", "Kafka", "TestSupport", "LocalPostgres"],
            exclude: ["validate_with_jsonschema.py"]  // run by the tests with python3, found via #filePath
        ),
        .testTarget(name: "NotificationsTests", dependencies: [
            "Notifications", "ServiceKit", "Kafka", "Contracts", "TestSupport", "Storage", "Timers", "Directory",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "RoutingTests", dependencies: [
            "Routing", "PersonIndexStore", "Notifications", "ServiceKit", "Kafka", "Contracts", "TestSupport", "Storage", "Timers",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "DirectoryTests", dependencies: [
            "Directory", "ServiceKit", "Contracts", "TestSupport", "Storage", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "SubscriptionsTests", dependencies: [
            "Subscriptions", "Directory", "ServiceKit", "Contracts", "Kafka", "TestSupport", "Storage",
        ]),
        .testTarget(name: "FeedsTests", dependencies: [
            "Feeds", "Directory", "Notifications", "Timers", "ServiceKit", "Contracts", "Kafka", "TestSupport", "Storage",
        ]),
        .testTarget(name: "TimersTests", dependencies: [
            "Timers", "ServiceKit", "Contracts", "Kafka", "TestSupport", .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "PlacesTests", dependencies: ["Places", "Placeholders"]),
        // TestSupport: `persons resolve` run as a user runs it (the built executable).
        .testTarget(
            name: "PersonIndexTests",
            dependencies: ["PersonIndex", "PersonIndexStore", "SyntheticPersons", "TestSupport", "Contracts", "Storage", "LocalPostgres", "Placeholders"]),
        // The person-index service's projection on SQLite and PostgreSQL.
        .testTarget(
            name: "PersonIndexServiceTests",
            dependencies: ["PersonIndexService", "PersonIndex", "PersonIndexStore", "ServiceKit", "Kafka", "TestSupport", "Contracts", "Storage", "LocalPostgres"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Contracts"]),
        .testTarget(name: "AuditTests", dependencies: [
            "Audit", "Policy", "Contracts", "Storage", "ServiceKit", "Kafka", "TestSupport",
        ]),
        // The benchmarks' machinery on tiny workloads (not their timing).
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Contracts", "PersonIndex", "Storage", "TestSupport", "LocalPostgres"]),
        .testTarget(name: "ReadModelsTests", dependencies: [
            "ReadModels", "Storage", "ServiceKit", "Contracts", "Directory", "TestSupport", "Notifications", "Kafka",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "WarrantsTests", dependencies: [
            "Warrants", "PersonIndexStore", "Directory", "Notifications", "ServiceKit", "Kafka", "Contracts", "TestSupport", "Storage", "Timers",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        // Pipeline and ServiceKit: the security settings are checked down to the services' clients.
        .testTarget(name: "SettingsTests", dependencies: [
            "Settings", "Kafka", "Notifications", "Pipeline", "ServiceKit", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ObservabilityTests", dependencies: [
            "Observability", "Pipeline", "Demo", "ServiceKit", "Notifications", "Kafka", "Contracts", "TestSupport", "Storage",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "GatewayTests", dependencies: [
            "Gateway", "Policy", "Audit", "Directory", "Contracts", "Notifications", "ServiceKit", "Storage", "Kafka", "TestSupport", "LocalPostgres",
            "ReadModels", "Warrants", "Subscriptions",
            .product(name: "Hummingbird", package: "hummingbird"),
            // A stream read as it arrives, and the webhook receiver's signature check.
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "JWTKit", package: "jwt-kit"),
            // RSA key generation for the RS256 test (already built for jwt-kit).
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The web UI: its pages through Hummingbird's test client, and in a real browser (Debian's
        // chromium and chromedriver, Python's Selenium in a venv the test makes) against `dev`.
        .testTarget(
            name: "WebUITests",
            dependencies: [
                "WebUI", "Gateway", "Policy", "Audit", "Contracts", "Notifications", "ServiceKit", "Storage", "Kafka", "TestSupport",
                "Feeds", "Directory", "ReadModels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["browser_walkthrough.py"]  // run by the browser test with the venv's python, found via #filePath
        ),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "Demo", "Gateway",
            .product(name: "JWTKit", package: "jwt-kit"),
            // The gateway's live stream read as it arrives.
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"), "Feeds", "Timers", "ServiceKit", "Notifications", "Routing", "Warrants", "Kafka", "Contracts", "TestSupport", "Storage",
            // A reviewer's decision recorded in the person index's store (PersonIndexEndToEndTests).
            "PersonIndexStore",
            // The person index's prior from the configured population (PersonIndexPopulationTests).
            "PersonIndex", "PersonIndexService",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // docker-compose.yml and the Dockerfile checked on paper (no Docker engine here): Debian's
        // docker-compose, the Compose Specification's schema with Python's jsonschema, and the
        // services and variables the binary knows.
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "Pipeline", "Gateway", "Contracts", "Settings", "ServiceKit", "Notifications", "Kafka", "LocalPostgres",
                "Directory", "PersonIndexStore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["validate_compose.py", "compose-spec"]  // run and read by the tests, found via #filePath
        ),
        // Against Tansu, a real Kafka-protocol broker behind scripts/real-broker's proxy: each test
        // starts its own; they skip, saying why, when the pinned wheel cannot be fetched.
        .testTarget(name: "RealBrokerTests", dependencies: [
            "Kafka", "Contracts", "Demo", "Notifications", "Pipeline", "Routing", "ServiceKit", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
