import AWSWire
import Foundation
import Metadata
import ObjectStore
import Testing
@testable import KilnServer

@Suite struct S3LogicTests {
    let handler: S3Handler

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-s3logic-\(UUID().uuidString)")
        handler = S3Handler(metadata: try SQLiteMetadataStore(path: dir.path + ".sqlite"), blobs: try BlobStore(root: dir),
                            virtualHostSuffixes: ["localhost"])
    }

    @Test func ranges() throws {
        #expect(try handler.parseRange("bytes=0-9", size: 100) == 0..<10)
        #expect(try handler.parseRange("bytes=90-", size: 100) == 90..<100)
        #expect(try handler.parseRange("bytes=-5", size: 100) == 95..<100)
        #expect(try handler.parseRange("bytes=-500", size: 100) == 0..<100)
        #expect(try handler.parseRange("bytes=50-1000", size: 100) == 50..<100)
        // Malformed or multi-range headers are ignored: S3 serves the whole object.
        #expect(try handler.parseRange("bytes=9-0", size: 100) == nil)
        #expect(try handler.parseRange("items=0-1", size: 100) == nil)
        #expect(try handler.parseRange("bytes=0-1,5-6", size: 100) == nil)
        #expect(throws: AWSError.self) { try handler.parseRange("bytes=100-", size: 100) }
        #expect(throws: AWSError.self) { try handler.parseRange("bytes=-0", size: 100) }
    }

    @Test func bucketNames() {
        for good in ["abc", "my-bucket.2", "a1b", String(repeating: "a", count: 63)] { #expect(BucketNames.isValid(good), "\(good)") }
        for bad in ["ab", "ABC", "-abc", "abc-", "a..b", "a.-b", "192.168.1.1", "xn--abc", "a_b", String(repeating: "a", count: 64)] {
            #expect(!BucketNames.isValid(bad), "\(bad)")
        }
    }

    @Test func addressesPathAndVirtualHostStyle() throws {
        func address(_ host: String, _ path: String) throws -> (String?, String?) {
            var r = IncomingRequest.forTesting(method: "GET", target: path, host: host)
            r.host = host
            let a = try handler.address(of: r)
            return (a.bucket, a.key)
        }
        #expect(try address("127.0.0.1:8700", "/bkt/a%20b/c%2B.txt") == ("bkt", "a b/c+.txt"))
        #expect(try address("127.0.0.1:8700", "/bkt") == ("bkt", nil))
        #expect(try address("127.0.0.1:8700", "/") == (nil, nil))
        #expect(try address("bkt.localhost:8700", "/x/../y") == ("bkt", "x/../y"))
        #expect(throws: AWSError.self) { try address("127.0.0.1", "/bkt/%FF%FE") }
        #expect(throws: AWSError.self) { try address("127.0.0.1", "/bkt/" + String(repeating: "k", count: 1025)) }
    }

    @Test func filterPatterns() throws {
        #expect(try FilterPattern("ERROR").matches("an ERROR here"))
        #expect(try !FilterPattern("ERROR -timeout").matches("ERROR timeout"))
        #expect(try FilterPattern("?WARN ?ERROR").matches("WARN x"))
        #expect(try FilterPattern("\"two words\"").matches("has two words in it"))
        #expect(try !FilterPattern("\"two words\"").matches("two  words"))
        #expect(try FilterPattern("").matches("anything"))
        #expect(throws: AWSError.self) { try FilterPattern("{ $.level = \"error\" }") }
    }
}
