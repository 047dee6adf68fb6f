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
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
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
        .target(name: "Contracts"),
        .executableTarget(
            name: "reentrybus",
            dependencies: [
                "Kafka",
                "KafkaBaseline",
                "Contracts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts"]),
    ],
    swiftLanguageModes: [.v6]
)
