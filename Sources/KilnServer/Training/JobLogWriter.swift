import Foundation
import Metadata

/// Writes a job's output lines to a CloudWatch Logs stream, in batches, as they arrive.
actor JobLogWriter {
    let logs: any LogRepository
    let scope: LogScope
    let group: String
    let stream: String
    private var pending: [(timestamp: Int64, message: String)] = []
    private var lastFlush = Date()

    init(logs: any LogRepository, scope: LogScope, group: String, stream: String) {
        (self.logs, self.scope, self.group, self.stream) = (logs, scope, group, stream)
    }

    func open() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if try await logs.logGroup(scope, name: group) == nil {
            do { try await logs.createLogGroup(scope, name: group, createdAt: now) } catch MetadataError.alreadyExists {}
        }
        do { try await logs.createLogStream(scope, group: group, name: stream, createdAt: now) } catch MetadataError.alreadyExists {}
    }

    /// Queues a line; flushes at 200 lines or every half second, so `fit(logs=True)` shows progress live.
    func append(_ line: String) async {
        pending.append((Int64(Date().timeIntervalSince1970 * 1000), line))
        if pending.count >= 200 || Date().timeIntervalSince(lastFlush) > 0.5 { await flush() }
    }

    func flush() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        lastFlush = Date()
        try? await logs.appendLogEvents(scope, group: group, stream: stream, events: batch, ingestionTime: Int64(Date().timeIntervalSince1970 * 1000))
    }
}

/// Splits a pipe's output into lines on a background thread.
enum LineReader {
    static func lines(of handle: FileHandle) -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: 10) {
                        let line = buffer[buffer.startIndex..<newline]
                        continuation.yield(String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self))
                        buffer.removeSubrange(buffer.startIndex...newline)
                    }
                    // A single line longer than 256 KiB is cut, as CloudWatch would reject it.
                    if buffer.count > 256 * 1024 {
                        continuation.yield(String(decoding: buffer.prefix(256 * 1024), as: UTF8.self))
                        buffer.removeAll()
                    }
                }
                if !buffer.isEmpty { continuation.yield(String(decoding: buffer, as: UTF8.self)) }
                continuation.finish()
            }
            thread.start()
        }
    }
}
