import Foundation
import Testing
@testable import KilnServer

@Suite struct PipeChannelFeederTests {
    @Test func streamsEveryObjectPerEpochAndInflatesGzip() throws {
        signal(SIGPIPE, SIG_IGN)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two objects, gzip-compressed by the system gzip (two members when concatenated would also work).
        var paths: [String] = []
        for (i, text) in ["1,2,3\n", "4,5,6\n"].enumerated() {
            let plain = dir.appendingPathComponent("obj\(i)")
            try Data(text.utf8).write(to: plain)
            let gz = Process()
            gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gz.arguments = ["-f", plain.path]
            try gz.run()
            gz.waitUntilExit()
            paths.append(plain.path + ".gz")
        }
        let feeder = PipeChannelFeeder(directory: dir, channel: "train", gzip: true, objectPaths: paths)
        try feeder.start()
        defer { feeder.cancel() }
        for epoch in 0..<2 {
            // The next FIFO appears once the previous one is drained and closed.
            var waited = 0
            while !FileManager.default.fileExists(atPath: feeder.fifoPath(epoch: epoch)) && waited < 200 {
                usleep(10_000)
                waited += 1
            }
            let handle = try #require(FileHandle(forReadingAtPath: feeder.fifoPath(epoch: epoch)))
            let data = handle.readDataToEndOfFile()
            try handle.close()
            #expect(String(decoding: data, as: UTF8.self) == "1,2,3\n4,5,6\n", "epoch \(epoch)")
        }
        #expect(feeder.failure == nil)
    }
}
