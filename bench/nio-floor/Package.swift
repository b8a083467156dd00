// swift-tools-version:6.0
// The floor for a SwiftNIO proxy on this machine: forward one POST over a kept-alive upstream
// connection on the same event loop, relay the answer, nothing else (no routing, no plugins,
// no timeouts, no errors handled). bench/run measures it as row (n) next to nginx and the
// gateway, so the gateway's figures can be read against what NIO's HTTP/1 codecs cost by
// themselves. Not part of the product; built only by `bench/run --build` or by hand.
import PackageDescription

let package = Package(
    name: "nio-floor",
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")],
    targets: [
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)])
    ]
)
