import Foundation
import TrainingRuntime

/// How an input object is cut into records (`TransformInput.SplitType`).
public enum SplitType: String, Sendable, Codable {
    case none = "None"
    case line = "Line"
    case recordIO = "RecordIO"
}

/// Where bytes come from: a chunk at a time, so an input of any size needs only a bounded buffer.
public protocol ByteChunkSource {
    /// The next chunk of bytes, or nil at the end.
    mutating func nextChunk() throws -> [UInt8]?
}

/// A file read in 1 MiB chunks, gunzipped on the fly when asked.
public struct FileChunkSource: ByteChunkSource {
    let handle: FileHandle
    let gzip: GzipStreamDecoder?
    var finished = false

    public init(path: String, gzip: Bool) throws {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        self.gzip = gzip ? try GzipStreamDecoder() : nil
    }

    public mutating func nextChunk() throws -> [UInt8]? {
        while !finished {
            guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                finished = true
                try? handle.close()
                do { try gzip?.finish() } catch { throw RecordError("the input is not complete gzip data (\(error))") }
                return nil
            }
            guard let gzip else { return [UInt8](data) }
            var out: [UInt8] = []
            do {
                try data.withUnsafeBytes { raw in try gzip.feed(raw) { out.append(contentsOf: $0) } }
            } catch {
                throw RecordError("the input is not valid gzip data (\(error)); CompressionType Gzip was given")
            }
            if !out.isEmpty { return out }
        }
        return nil
    }
}

/// Bytes already in memory (tests).
public struct BytesChunkSource: ByteChunkSource {
    var chunks: [[UInt8]]
    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 20) {
        chunks = stride(from: 0, to: bytes.count, by: max(1, chunkSize)).map { Array(bytes[$0..<min(bytes.count, $0 + chunkSize)]) }
    }
    public mutating func nextChunk() throws -> [UInt8]? { chunks.isEmpty ? nil : chunks.removeFirst() }
}

/// Cuts a byte stream into records: lines (`\n`, a trailing `\r` dropped, empty lines skipped but counted),
/// RecordIO frames (header, payload and padding kept, as the model reads framed input), or the whole object.
/// Each record carries its 1-based number (the line number for Line splitting).
public struct RecordReader<Source: ByteChunkSource> {
    var source: Source
    public let split: SplitType
    /// The largest record accepted (a record beyond it fails the job, as SageMaker's MaxPayloadInMB does).
    public let maxRecordBytes: Int
    var buffer: [UInt8] = []
    var start = 0
    var exhausted = false
    public private(set) var recordNumber = 0

    public init(source: Source, split: SplitType, maxRecordBytes: Int) {
        (self.source, self.split, self.maxRecordBytes) = (source, split, maxRecordBytes)
    }

    mutating func fill() throws -> Bool {
        guard !exhausted else { return false }
        guard let chunk = try source.nextChunk() else {
            exhausted = true
            return false
        }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// Calls `body` with the next record (valid only during the call) and its number; false at the end.
    public mutating func next(_ body: (ArraySlice<UInt8>, Int) throws -> Void) throws -> Bool {
        switch split {
        case .line: return try nextLine(body)
        case .recordIO: return try nextFrame(body)
        case .none:
            guard recordNumber == 0 else { return false }
            while try fill() {
                if buffer.count - start > maxRecordBytes { throw tooLarge(buffer.count - start) }
            }
            recordNumber = 1
            if buffer.count == start { return false }
            try body(buffer[start...], 1)
            start = buffer.count
            return true
        }
    }

    func tooLarge(_ size: Int) -> RecordError {
        RecordError("record \(recordNumber + 1) is larger than MaxPayloadInMB (\(maxRecordBytes >> 20) MB)\(split == .none ? "; use SplitType Line or RecordIO to cut the object into records" : "")")
    }

    mutating func nextLine(_ body: (ArraySlice<UInt8>, Int) throws -> Void) throws -> Bool {
        var scanFrom = start
        while true {
            if let nl = Self.newline(in: buffer, from: scanFrom) {
                recordNumber += 1
                var end = nl
                if end > start, buffer[end - 1] == 13 { end -= 1 }
                let lineStart = start
                start = nl + 1
                if end > lineStart {
                    if end - lineStart > maxRecordBytes { throw tooLarge(end - lineStart) }
                    try body(buffer[lineStart..<end], recordNumber)
                    return true
                }
                scanFrom = start
                continue
            }
            let scanned = buffer.count - start
            if scanned > maxRecordBytes { throw tooLarge(scanned) }
            if try !fill() {
                guard start < buffer.count else { return false }
                recordNumber += 1
                var end = buffer.count
                if buffer[end - 1] == 13 { end -= 1 }
                let lineStart = start
                start = buffer.count
                if end > lineStart {
                    try body(buffer[lineStart..<end], recordNumber)
                    return true
                }
                return false
            }
            scanFrom = start + scanned
        }
    }

    static var magic: UInt32 { 0xCED7_230A }

    /// The index of the first `\n` at or after `from` (memchr: the scan is most of the reading cost).
    static func newline(in buffer: [UInt8], from: Int) -> Int? {
        guard from < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { p -> Int? in
            guard let base = p.baseAddress, let hit = memchr(base + from, 10, p.count - from) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
    }

    /// Bytes held in the read buffer (bounded by one chunk plus the longest record, whatever the input size).
    public var bufferedBytes: Int { buffer.count }

    mutating func nextFrame(_ body: (ArraySlice<UInt8>, Int) throws -> Void) throws -> Bool {
        func u32(_ at: Int) -> UInt32 {
            UInt32(buffer[at]) | UInt32(buffer[at + 1]) << 8 | UInt32(buffer[at + 2]) << 16 | UInt32(buffer[at + 3]) << 24
        }
        while buffer.count - start < 8 {
            if try !fill() {
                if buffer.count == start { return false }
                throw RecordError("record \(recordNumber + 1) is a truncated RecordIO header")
            }
        }
        guard u32(start) == Self.magic else {
            throw RecordError("record \(recordNumber + 1) does not start with the RecordIO magic number; is the input really RecordIO (SplitType RecordIO)?")
        }
        let length = Int(u32(start + 4) & ((1 << 29) - 1))
        let total = 8 + (length + 3) / 4 * 4
        if total > maxRecordBytes { throw tooLarge(total) }
        while buffer.count - start < total {
            if try !fill() { throw RecordError("record \(recordNumber + 1) is a truncated RecordIO frame") }
        }
        recordNumber += 1
        let s = start
        start += total
        try body(buffer[s..<(s + total)], recordNumber)
        return true
    }
}
