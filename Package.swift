// swift-tools-version:6.0
import PackageDescription

// Release builds of the model targets drop Swift's dynamic exclusivity checks (swift_beginAccess /
// endAccess on class properties and globals, ~15 % of a release run of the platform: issue 14,
// docs/benchmarks.md "fifth step"); debug and test builds keep them, so the tests still catch a
// violation. Unsafe flags are allowed in a root package (not in a dependency of another package).
let releaseUnchecked: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "ClusterSim",
    products: [
        .executable(name: "clustersim", targets: ["clustersim"]),
        .executable(name: "clustersim-bench", targets: ["clustersim-bench"]),
        .executable(name: "clustersim-fuzz", targets: ["clustersim-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // GSL (Debian libgsl-dev) through pkg-config.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .target(name: "SimKernel", dependencies: ["CGSL"], swiftSettings: releaseUnchecked),
        .target(name: "ClusterModel", dependencies: ["SimKernel"], swiftSettings: releaseUnchecked),
        .target(name: "Scenario", dependencies: ["ClusterModel", "SimKernel"], swiftSettings: releaseUnchecked),
        .target(name: "Reporting", dependencies: ["ClusterModel", "SimKernel"], swiftSettings: releaseUnchecked),
        // Experiments (issue 13): sweeps, aggregates, the planner, Slurm batch scripts.
        .target(name: "Experiment", dependencies: ["Scenario", "Reporting", "ClusterModel", "SimKernel"], swiftSettings: releaseUnchecked),
        .executableTarget(
            name: "clustersim",
            dependencies: [
                "Scenario", "Reporting", "ClusterModel", "SimKernel", "Experiment",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "clustersim-bench", dependencies: ["SimKernel", "ClusterModel", "Scenario"]),
        // Mutation fuzzing of the shipped scenarios, a forked child per input (make test / check-all).
        .executableTarget(name: "clustersim-fuzz", dependencies: ["Scenario", "Reporting", "ClusterModel", "SimKernel", "Experiment"]),
        // What more than one test target needs (the judges' releases, running them); not part of any product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SimKernelTests", dependencies: ["SimKernel"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario", "ClusterModel", "SimKernel", "TestSupport"], exclude: ["marathon-files", "templates", "consul-files"]),
        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel", "SimKernel", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "ClusterModel", "Scenario", "SimKernel"]),
        .testTarget(name: "ExperimentTests", dependencies: ["Experiment", "Scenario", "SimKernel", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Reporting"], exclude: ["bad-inputs", "installer-standins", "fuzz-regressions"]),
    ],
    swiftLanguageModes: [.v5]
)
