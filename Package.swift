// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "attest",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "attest", targets: ["AttestCLI"]),
        .library(name: "Attest", targets: ["Attest"]),
        .library(name: "AttestCrypto", targets: ["AttestCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        // The audit log's store: the system SQLite, through its C API (no ORM, so no Foundation in the binary).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .target(name: "AttestCrypto", dependencies: ["COpenSSL"]),
        // Linux calls Swift's Glibc module does not import (memfd seals, execvpe), for the device gate.
        .target(name: "CLinux"),
        .target(name: "Attest", dependencies: ["AttestCrypto", "CSQLite", "CLinux"]),
        .executableTarget(
            name: "AttestCLI",
            dependencies: [
                "Attest",
                "AttestCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark and test tools (`attest-dev audit generate`): built beside attest, never shipped in it.
        .executableTarget(
            name: "AttestDev",
            dependencies: [
                "Attest",
                "AttestCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared by the test targets: finds ../shared/vectors and the built binary.
        .target(name: "AttestTestSupport", path: "Tests/AttestTestSupport"),
        .testTarget(name: "AttestCryptoTests", dependencies: ["AttestCrypto", "AttestTestSupport"]),
        .testTarget(name: "AttestTests", dependencies: ["Attest", "AttestCrypto", "AttestTestSupport"]),
        .testTarget(name: "AttestCLITests", dependencies: ["Attest", "AttestCrypto", "AttestTestSupport", "AttestCLI", "AttestDev"]),
    ]
)
