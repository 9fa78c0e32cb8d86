import Foundation
import KilnChecksums
import Metadata
import Testing
@testable import ObjectStore

/// Listing against a real SQLite store in a temporary folder.
@Suite struct ListingTests {
    let dir: URL
    let store: SQLiteMetadataStore

    init() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-listing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try SQLiteMetadataStore(path: dir.appendingPathComponent("m.sqlite").path)
        try await store.insertBucket(BucketRecord(name: "bkt", accountId: "000000000000", region: "us-east-1", createdAt: Date()))
        for key in ["a/1", "a/2", "a/b/3", "b", "c/x", "c/y", "d", "é", "z/\u{10FFFF}"] {
            _ = try await store.putObject(ObjectRecord(bucket: "bkt", key: key, blobId: UUID().uuidString, size: 1, etag: "e",
                                                       contentType: nil, userMetadata: [:], systemMetadata: [:], checksumAlgorithm: nil,
                                                       checksumValue: nil, lastModified: Date(), partCount: nil))
        }
    }

    func everything(prefix: String = "", delimiter: String?, pageSize: Int) async throws -> ([String], [String]) {
        let listing = ObjectListing(objects: store)
        var keys: [String] = [], prefixes: [String] = []
        var marker: String? = nil
        for _ in 0..<100 {
            let page = try await listing.list(bucket: "bkt", prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: pageSize)
            keys += page.objects.map(\.key)
            prefixes += page.commonPrefixes
            #expect(page.objects.count + page.commonPrefixes.count <= pageSize)
            guard page.isTruncated else { return (keys, prefixes) }
            marker = page.nextMarker
        }
        Issue.record("listing did not end")
        return (keys, prefixes)
    }

    @Test(arguments: [1, 2, 3, 1000])
    func delimiterRollsUpAndPagesWithoutRepeats(pageSize: Int) async throws {
        let (keys, prefixes) = try await everything(delimiter: "/", pageSize: pageSize)
        #expect(keys == ["b", "d", "é"])
        #expect(prefixes == ["a/", "c/", "z/"])
    }

    @Test(arguments: [1, 4])
    func flatListingIsByteOrdered(pageSize: Int) async throws {
        let (keys, _) = try await everything(delimiter: nil, pageSize: pageSize)
        #expect(keys == ["a/1", "a/2", "a/b/3", "b", "c/x", "c/y", "d", "z/\u{10FFFF}", "é"].sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    @Test func prefixAndNestedDelimiter() async throws {
        let (keys, prefixes) = try await everything(prefix: "a/", delimiter: "/", pageSize: 1)
        #expect(keys == ["a/1", "a/2"])
        #expect(prefixes == ["a/b/"])
    }

    @Test func persistsAcrossReopen() async throws {
        let reopened = try SQLiteMetadataStore(path: dir.appendingPathComponent("m.sqlite").path)
        #expect(try await reopened.object(bucket: "bkt", key: "é") != nil)
        #expect(try await reopened.buckets(accountId: "000000000000").map(\.name) == ["bkt"])
    }
}

@Suite struct BlobStoreTests {
    @Test func writeCommitReadAndCollect() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let blobs = try BlobStore(root: dir)
        let w = try blobs.makeWriter(checksums: [.crc32])
        try w.write(Array("hello".utf8))
        let info = try w.commit()
        #expect(info.size == 5)
        #expect(info.md5.hexString == "5d41402abc4b2a76b9719d911017c592")
        #expect(info.checksums[.crc32] == "NhCmhg==")
        let r = try blobs.openReader(id: info.id)
        var buf = [UInt8](repeating: 0, count: 3)
        let n = try buf.withUnsafeMutableBytes { try r.read(into: $0, at: 1) }
        #expect(n == 3 && buf == Array("ell".utf8))
        // An abandoned writer leaves a temp file that garbage collection removes; referenced blobs stay.
        let abandoned = try blobs.makeWriter()
        try abandoned.write([1, 2, 3])
        let removed = blobs.collectGarbage(referenced: [info.id])
        #expect(removed == 1)
        #expect(FileManager.default.fileExists(atPath: blobs.path(of: info.id)))
        abandoned.abort()
    }

    /// Several MiB in odd-sized pieces: the disk thread's 1 MiB pieces and the last partial one land in order.
    @Test func largeBlobWrittenInPiecesKeepsItsBytesAndDigest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let blobs = try BlobStore(root: dir)
        var state: UInt64 = 42
        let bytes = (0 ..< (5 << 20) + 12345).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let w = try blobs.makeWriter()
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 7777)
            try bytes[offset ..< end].withUnsafeBytes { try w.write($0) }
            offset = end
        }
        let info = try w.commit()
        var whole = MD5Hasher()
        bytes.withUnsafeBytes { whole.update($0) }
        #expect(info.size == Int64(bytes.count))
        #expect(info.md5 == whole.finalize())
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: blobs.path(of: info.id)))
        #expect(onDisk == Data(bytes))
    }
}
