// swift-tools-version:6.0
// Rigor: a Jupyter kernel for a tiny Swift-like language that drives a deep-learning engine.
// The target layout and who may import whom is in docs/architecture.md; ArchitectureTests enforces it.
import PackageDescription

let package = Package(
    name: "Rigor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rigor", targets: ["rigor"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Deployment and ModelServer (docs/deployment.md)
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own event loops: `rigor serve` makes them Swift concurrency's executor (NIOPosix).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: language
        .target(
            name: "RigorScript",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections")],
            exclude: ["README.md"],
            // The interpreter's state is confined to its executor thread; the dynamic exclusivity
            // checks on every variable access cost ~10% of a call (measured with perf).
            // Type metadata through accessors, not mangled names: instantiating `[String: BuiltinFunction]`'s storage
            // from its mangled name looks up String's Hashable conformance by scanning every conformance record in
            // the binary, ~0.7 M instructions apiece, three of them on every start (docs/performance.md).
            swiftSettings: [
                .unsafeFlags([
                    "-enforce-exclusivity=unchecked",
                    "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors",
                ])
            ]
        ),
        .testTarget(name: "RigorScriptTests", dependencies: ["RigorScript"], resources: [.copy("Golden")]),

        // MARK: display
        .target(name: "RichDisplay", exclude: ["README.md"]),
        .testTarget(name: "RichDisplayTests", dependencies: ["RichDisplay"], exclude: ["Snapshots"]),

        // MARK: widgets (the Jupyter widget protocol's models; docs/widgets.md)
        .target(name: "Widgets", dependencies: ["RichDisplay"], exclude: ["README.md"]),
        .testTarget(name: "WidgetsTests", dependencies: ["Widgets"], resources: [.copy("Fixtures")]),

        // MARK: engine targets (TensorCore)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The float32 direct convolution and 2×2 max pooling of inference (AVX-512, AVX2, portable; chosen at run
        // time). Optimized in debug builds too: at -O0 the intrinsics spill every accumulator, and the inference
        // paths the tests take would run many times slower than the im2col path they replace.
        .target(name: "CFloatKernels", exclude: ["README.md"], cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "TensorCore", dependencies: ["CBLAS", "CFloatKernels"], exclude: ["README.md"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .executableTarget(name: "TensorCoreBench", dependencies: ["TensorCore"], path: "Benchmarks/TensorCoreBench"),

        // MARK: neural network targets (NeuralNetworks)
        .target(
            name: "NeuralNetworks", dependencies: ["TensorCore"], exclude: ["README.md"],
            resources: [.copy("Resources")]
        ),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "TensorCore"]),
        .executableTarget(
            name: "NeuralNetworksBench", dependencies: ["NeuralNetworks", "TensorCore"],
            path: "Benchmarks/NeuralNetworksBench"),

        // MARK: explaining models (ModelInsight)
        .target(
            name: "ModelInsight", dependencies: ["NeuralNetworks", "TensorCore", "RichDisplay"], exclude: ["README.md"]),
        .testTarget(
            name: "ModelInsightTests", dependencies: ["ModelInsight", "NeuralNetworks", "TensorCore", "RichDisplay"],
            resources: [.copy("References")]),
        .executableTarget(
            name: "InsightBench", dependencies: ["ModelInsight", "NeuralNetworks", "TensorCore"],
            path: "Benchmarks/InsightBench"),

        // MARK: model security (Security: attacks, personal-data recognizers and anonymisation; docs/security.md)
        .target(
            name: "Security",
            dependencies: [
                "NeuralNetworks", "TensorCore", "RichDisplay", .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]),
        .testTarget(
            name: "SecurityTests", dependencies: ["Security", "NeuralNetworks", "TensorCore"],
            resources: [.copy("Fixtures")]),
        .executableTarget(
            name: "SecurityBench", dependencies: ["Security", "NeuralNetworks", "TensorCore"],
            path: "Benchmarks/SecurityBench"),

        // MARK: deployment targets (Deployment, ModelServer; docs/deployment.md)
        // The AVX-512 VNNI int8 kernel, compiled per function for that instruction set and chosen at run time.
        .target(name: "CInt8Kernels", exclude: ["README.md"]),
        .target(
            name: "Deployment",
            dependencies: [
                "NeuralNetworks", "TensorCore", "RichDisplay", "CInt8Kernels",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["README.md", "ONNX/onnx.proto"]
        ),
        .testTarget(name: "DeploymentTests", dependencies: ["Deployment", "NeuralNetworks", "TensorCore"]),
        .executableTarget(
            name: "DeploymentBench", dependencies: ["Deployment", "NeuralNetworks", "TensorCore"],
            path: "Benchmarks/DeploymentBench"),
        // The runtime's global-enqueue hook where dlsym cannot see it (`rigor serve` in a --static-swift-stdlib build).
        .target(name: "CConcurrencyHook", exclude: ["README.md"]),
        .target(
            name: "ModelServer",
            dependencies: [
                "Deployment", "NeuralNetworks", "TensorCore", "CConcurrencyHook",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["README.md"]
        ),
        .testTarget(
            name: "ModelServerTests", dependencies: ["ModelServer", "Deployment", "NeuralNetworks", "TensorCore"]),

        // MARK: hyperparameter search (Search; SearchPostgres keeps postgres-nio out of Search's users)
        .target(
            name: "Search",
            dependencies: [
                "NeuralNetworks", "TensorCore", "RichDisplay", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["README.md"],
            // The samplers' numerical loops (GP fitting, 2,048-candidate acquisition) run optimized in debug builds
            // too, so the sampler tests take seconds instead of minutes.
            swiftSettings: [.unsafeFlags(["-O"])]),
        // PostgresBridge: postgres-nio's async calls from synchronous code, and its errors as text (both stores).
        .target(
            name: "PostgresBridge", dependencies: [.product(name: "PostgresNIO", package: "postgres-nio")],
            exclude: ["README.md"]),
        .target(
            name: "SearchPostgres",
            dependencies: ["Search", "PostgresBridge", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(
            name: "SearchTests",
            dependencies: [
                "Search", "SearchPostgres", "NeuralNetworks", "TensorCore", "RichDisplay",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .executableTarget(name: "SearchBench", dependencies: ["Search"], path: "Benchmarks/SearchBench"),

        // MARK: run log (RunLog: every fit, evaluate, trial and audit recorded in SQLite or PostgreSQL)
        .target(
            name: "RunLog",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]),
        // RunLogPostgres keeps postgres-nio out of RunLog's users, as SearchPostgres does for Search.
        .target(
            name: "RunLogPostgres",
            dependencies: ["RunLog", "PostgresBridge", .product(name: "PostgresNIO", package: "postgres-nio")],
            exclude: ["README.md"]),
        .testTarget(
            name: "RunLogTests",
            dependencies: [
                "RunLog", "RunLogPostgres", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),

        // MARK: library (RigorLibrary)
        .target(
            name: "RigorLibrary",
            dependencies: [
                "RigorScript", "TensorCore", "NeuralNetworks", "ModelInsight", "Security", "RichDisplay", "Widgets",
                "RunLog", "RunLogPostgres", "Deployment", "ModelServer", "Search", "SearchPostgres",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            exclude: ["README.md"]),
        .testTarget(
            name: "RigorLibraryTests",
            dependencies: [
                "RigorLibrary", "RigorScript", "RichDisplay", "ModelInsight", "NeuralNetworks", "RunLog", "Search",
            ],
            exclude: ["Golden", "Fixtures"]),

        // MARK: kernel targets (ZeroMQ, JupyterKernel, RigorKernel)
        // libzmq is opened with dlopen on first use (Sources/CZeroMQ/lazy.c), not linked: only the kernel talks ZeroMQ,
        // and `rigor run` and `rigor serve` start without loading it and its 13 shared objects. zmq.h comes from
        // `libzmq3-dev` (scripts/install-system-deps.sh).
        .target(name: "CZeroMQ", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], exclude: ["README.md"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .target(
            name: "JupyterKernel",
            dependencies: [
                "ZeroMQ", "RichDisplay", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["README.md"]
        ),
        .testTarget(name: "JupyterKernelTests", dependencies: ["JupyterKernel", "RichDisplay"]),
        .target(
            name: "RigorKernel",
            dependencies: ["JupyterKernel", "RigorLibrary", "RigorScript", "RichDisplay", "Widgets", "ModelServer"],
            exclude: ["README.md"]),
        .testTarget(
            name: "RigorKernelTests", dependencies: ["RigorKernel", "JupyterKernel", "Widgets", "RichDisplay"],
            resources: [.copy("Fixtures")]),

        // MARK: executable
        .executableTarget(
            name: "rigor",
            dependencies: [
                "JupyterKernel",
                "RigorKernel",
                "ModelServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"],
            // Release: linked by lld with packed relative relocations (DT_RELR, glibc ≥ 2.36): the ~159,000 pointers
            // the loader adjusts at every start take 0.7 M fewer instructions to apply, and their table shrinks from
            // 3.8 MB to a few KB (docs/performance.md, Interpreter: start-up).
            linkerSettings: [
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                    .when(configuration: .release))
            ]
        ),

        // MARK: project-wide checks
        .testTarget(name: "ArchitectureTests", dependencies: []),
    ],
    swiftLanguageModes: [.v6]
)
