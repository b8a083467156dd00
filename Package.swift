// swift-tools-version:6.0
import PackageDescription

// Module map (why each exists):
// - TollgateJSON: one fast JSON value type; every body is parsed at most once into it.
// - TollgateProtocols: wire formats and the canonical model; pure, so translation is unit-testable.
// - TollgateConfig: routes.yaml → typed values with FILE:LINE:COL errors (Yams marks).
// - TollgateStore: usage counters, quotas, request logs, async jobs (SQLite embedded, PostgreSQL shared, memory).
// - TollgateCore: the SwiftNIO request path: server, router, pipeline, upstream pools, providers.
// - TollgatePlugins: plugins/, one folder per plugin.
// - tollgate: the command line.
// Each plugin folder carries a README beside its code; SwiftPM must be told they are not sources.
let pluginDocs = [
    "README.md", "ai-proxy/README.md", "header-allowlist/README.md", "governance/README.md",
    "telemetry/README.md", "async/README.md", "cache/README.md",
]

// Swift checks exclusive access to variables at run time unless told it need not; on the request
// path those checks were a tenth of all instructions (callgrind, bench/profile). Release builds
// of our own modules skip them: the debug build and the test suite keep them on and would
// catch a violation.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "tollgate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tollgate", targets: ["tollgate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
    ],
    targets: [
        .target(name: "TollgateJSON", swiftSettings: hotPath),
        .target(name: "TollgateProtocols", dependencies: ["TollgateJSON"], swiftSettings: hotPath),
        .target(name: "TollgateConfig", dependencies: [
            "TollgateJSON",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "TollgateStore", dependencies: [
            .product(name: "SQLiteNIO", package: "sqlite-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TollgateCore", dependencies: [
            "TollgateJSON", "TollgateProtocols", "TollgateConfig", "TollgateStore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ], swiftSettings: hotPath),
        .target(
            name: "TollgatePlugins",
            dependencies: [
                "TollgateCore", "TollgateJSON", "TollgateProtocols", "TollgateConfig", "TollgateStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "plugins",
            exclude: pluginDocs,
            swiftSettings: hotPath
        ),
        .executableTarget(name: "tollgate", dependencies: [
            "TollgateCore", "TollgatePlugins", "TollgateConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "TollgateJSONTests", dependencies: ["TollgateJSON"]),
        .testTarget(name: "TollgateProtocolsTests", dependencies: ["TollgateProtocols", "TollgateJSON"]),
        .testTarget(name: "TollgateConfigTests", dependencies: ["TollgateConfig", "TollgateJSON"]),
        .testTarget(name: "TollgateCoreTests", dependencies: [
            "TollgateCore", "TollgateConfig", "TollgateJSON", "TollgateProtocols",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "TollgateStoreTests", dependencies: ["TollgateStore"]),
        .testTarget(name: "TollgatePluginsTests", dependencies: [
            "TollgatePlugins", "TollgateCore", "TollgateConfig", "TollgateJSON", "TollgateStore", "TollgateProtocols",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)

