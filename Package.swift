// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "kiln",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kiln-xgb", targets: ["XGBoostTool"]),
        .executable(name: "kiln", targets: ["kiln"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Checksums and digests S3 speaks: CRC32, CRC32C, CRC64NVME, SHA1, SHA256, MD5 (streaming).
        .target(name: "KilnChecksums", dependencies: ["CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // AWS wire formats: JSON 1.1 errors, REST-XML writer/reader, query-protocol forms, timestamps.
        .target(name: "AWSWire", dependencies: []),
        // Generated SageMaker API shapes and validators (Codegen/ writes it; never edit by hand).
        .target(name: "SageMakerShapes", dependencies: ["AWSWire"]),
        // Signature V4 (and V2 presigned) verification and the aws-chunked body decoder.
        .target(name: "SigV4", dependencies: [
            "KilnChecksums", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Metadata repositories: protocols plus the SQLite implementation and its migrations.
        .target(name: "Metadata", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // The S3-compatible object store on local disk.
        .target(name: "ObjectStore", dependencies: [
            "Metadata", "KilnChecksums", .product(name: "Logging", package: "swift-log"),
        ]),
        // RecordIO-protobuf (`application/x-recordio-protobuf`): framing and the `Record` message.
        .target(name: "RecordIO"),
        // What a training job needs besides the server: algorithm catalogue, metric extraction, /opt/ml layout,
        // channel paths, model.tar.gz packing. Used by the scheduler and by the worker process.
        .target(name: "TrainingRuntime", dependencies: ["CZlib"]),
        // The worker side of a training job: the algorithm protocol and `kiln worker train`.
        .target(name: "TrainingWorker", dependencies: ["TrainingRuntime", "CKilnSystem"]),
        // The few Linux calls Swift cannot make directly (variadic prctl).
        .target(name: "CKilnSystem"),
        // What hosting knows of a model: the servable-model and loader protocols, and the loader registry.
        .target(name: "ModelServing"),
        // Batch transform's worker side: record splitting, mini-batches, JSONPath filters and joins, `kiln worker transform`.
        .target(name: "BatchTransform", dependencies: ["ModelServing", "TrainingRuntime", "CKilnSystem"]),
        // The HTTP front door: routing by protocol, authentication, and every service handler.
        .target(name: "KilnServer", dependencies: [
            "AWSWire", "SigV4", "Metadata", "ObjectStore", "KilnChecksums", "SageMakerShapes", "TrainingRuntime", "ModelServing",
            "BatchTransform",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "kiln", dependencies: [
            "KilnServer", "TrainingWorker", "XGBoostAlgorithm", "FirstPartyAlgorithms", "ModelServing",
            "BatchTransform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Native gradient boosting compatible with XGBoost (hist trees, objectives, JSON models); no Kiln deps.
        // Decimal text to numbers, for the text channel readers (no dependencies).
        .target(name: "DecimalText"),
        .target(name: "GradientBoosting", dependencies: ["DecimalText"]),
        .executableTarget(name: "XGBoostTool", dependencies: ["GradientBoosting"]),
        // SageMaker's XGBoost image, natively: training channels and serving formats around GradientBoosting.
        .target(name: "XGBoostAlgorithm", dependencies: ["GradientBoosting", "RecordIO", "Parquet", "TrainingRuntime", "TrainingWorker", "ModelServing"]),
        .testTarget(name: "GradientBoostingTests", dependencies: ["GradientBoosting", "DecimalText"]),
        .testTarget(name: "KilnChecksumsTests", dependencies: ["KilnChecksums"]),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], resources: [.copy("Vectors")]),
        .testTarget(name: "AWSWireTests", dependencies: ["AWSWire"]),
        .testTarget(name: "SageMakerShapesTests", dependencies: ["SageMakerShapes", "AWSWire"]),
        
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "Metadata", "KilnChecksums"]),
        .testTarget(name: "RecordIOTests", dependencies: ["RecordIO"], resources: [.copy("Vectors")]),
        .testTarget(name: "TrainingRuntimeTests", dependencies: ["TrainingRuntime"]),
        // Parquet reader/writer; no dependency on the rest of Kiln.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .target(name: "Parquet", dependencies: ["CZlib", "CZstd"], exclude: ["README.md"]),
        .executableTarget(name: "ParquetTool", dependencies: ["Parquet"]),
        .executableTarget(name: "ParquetFuzz", dependencies: ["Parquet"], exclude: ["README.md"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"], resources: [.copy("Corpus")]),
        // Numeric kernels (dense/sparse matrices, dot, gemm, distances, eigen) in plain SIMD Swift; no Kiln deps.
        .target(name: "Linalg"),
        // The first-party algorithms as pure libraries over Linalg (no I/O, no Kiln deps).
        .target(name: "KMeans", dependencies: ["Linalg"]),
        .target(name: "PCA", dependencies: ["Linalg"]),
        .target(name: "LinearLearner", dependencies: ["Linalg"]),
        .target(name: "LDA", dependencies: ["Linalg"]),
        // SageMaker's first-party images, natively: hyperparameters, channels, logs, artifacts and serving formats.
        .target(name: "FirstPartyAlgorithms", dependencies: [
            "Linalg", "KMeans", "PCA", "LinearLearner", "LDA", "RecordIO", "TrainingRuntime", "TrainingWorker", "ModelServing",
            "DecimalText",
        ]),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg"]),
        .testTarget(name: "KMeansTests", dependencies: ["KMeans", "Linalg"]),
        .testTarget(name: "PCATests", dependencies: ["PCA", "Linalg"]),
        .testTarget(name: "LinearLearnerTests", dependencies: ["LinearLearner", "Linalg"]),
        .testTarget(name: "LDATests", dependencies: ["LDA", "Linalg"]),
        .testTarget(name: "FirstPartyAlgorithmsTests", dependencies: ["FirstPartyAlgorithms", "RecordIO", "Linalg"]),
        .testTarget(name: "BatchTransformTests", dependencies: ["BatchTransform", "ModelServing"]),
        .testTarget(name: "KilnServerTests", dependencies: ["KilnServer", "AWSWire", "Metadata", "ObjectStore"]),
    ]
)
