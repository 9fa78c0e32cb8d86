import Foundation
import RecordIO
import Testing
import TrainingRuntime
@testable import FirstPartyAlgorithms

/// Channels read from a real /opt/ml-style workspace on disk.
@Suite struct ChannelReaderTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-channel-\(UUID().uuidString)")

    func workspace(_ files: [String: [UInt8]], contentType: String?, compression: String? = nil) throws -> (Workspace, ChannelReader) {
        let ws = Workspace(root: root)
        let config = Workspace.ChannelConfig(contentType: contentType, inputMode: "File", distribution: "FullyReplicated",
                                             recordWrapper: "None", compression: compression)
        try ws.create(hyperparameters: [:], channels: ["train": config])
        for (name, bytes) in files { try Data(bytes).write(to: ws.channelDir("train").appendingPathComponent(name)) }
        return (ws, ChannelReader(workspace: ws, channel: "train", config: config))
    }

    @Test func recordIOIsTheDefaultAndKeepsLabels() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let stream = try RecordIOStream.encode([
            AmazonRecord(features: ["values": .dense([1, 2, 3])], label: ["values": .dense([1])]),
            AmazonRecord(features: ["values": .float32(values: [5], keys: [2], shape: [3])], label: ["values": .dense([0])]),
        ])
        let (_, reader) = try workspace(["part-0.pbr": stream], contentType: nil)
        #expect(try reader.inferWidth(defaultLabelSize: 0) == 3)
        let rows = try reader.read(layout: .dense, width: 3, defaultLabelSize: 0)
        #expect(rows.denseMatrix().values == [1, 2, 3, 0, 0, 5] && rows.labels == [1, 0] && rows.hasLabels)
        let sparse = try reader.read(layout: .sparse, width: 3, defaultLabelSize: 0).sparseMatrix()
        #expect(sparse.rowStarts == [0, 3, 4] && sparse.columnIndices == [0, 1, 2, 2])
    }

    @Test func csvLabelSizeComesFromTheContentType() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, reader) = try workspace(["a.csv": Array("1,2,3\n4,5,6\n".utf8)], contentType: "text/csv;label_size=0")
        let rows = try reader.read(layout: .dense, width: 3, defaultLabelSize: 1)
        #expect(rows.count == 2 && !rows.hasLabels)
    }

    @Test func gzipFilesAreInflated() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        // `printf '1,2\n3,4\n' | gzip -n | xxd -i`
        let gz: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x33, 0xd4, 0x31, 0xe2, 0x32, 0xd6,
                           0x31, 0xe1, 0x02, 0x00, 0x47, 0x93, 0x6c, 0xaf, 0x08, 0x00, 0x00, 0x00]
        let (_, reader) = try workspace(["a.csv.gz": gz], contentType: "text/csv", compression: "Gzip")
        let rows = try reader.read(layout: .dense, width: 1, defaultLabelSize: 1)
        #expect(rows.labels == [1, 3] && rows.denseMatrix().values == [2, 4])
    }

    @Test func aRowOfTheWrongWidthNamesTheFileAndLine() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, reader) = try workspace(["data.csv": Array("1,2\n3\n".utf8)], contentType: "text/csv;label_size=0")
        do {
            _ = try reader.read(layout: .dense, width: 2, defaultLabelSize: 0)
            Issue.record("accepted a short row")
        } catch {
            #expect("\(error)".contains("train/data.csv, line 2"))
        }
    }

    @Test func unsupportedContentTypesAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (_, reader) = try workspace(["a.json": Array("{}".utf8)], contentType: "application/json")
        #expect(throws: (any Error).self) { try reader.read(layout: .dense, width: 1, defaultLabelSize: 0) }
    }
}
