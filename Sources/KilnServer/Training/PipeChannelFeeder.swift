import Foundation
import TrainingRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Pipe mode: a channel is a FIFO `input/data/<channel>_<epoch>`; each epoch streams every object of the channel
/// in order (inflated when the channel is Gzip), and the next epoch's FIFO appears once the reader closes the last.
/// Runs on its own thread, since opening and writing a FIFO block.
final class PipeChannelFeeder: @unchecked Sendable {
    let directory: URL
    let channel: String
    let gzip: Bool
    /// Produces the bytes of each object in turn: returns false when there are no more.
    let objectPaths: [String]
    private let lock = NSLock()
    private var cancelled = false
    private var currentFIFO: String?
    private(set) var failure: String?

    init(directory: URL, channel: String, gzip: Bool, objectPaths: [String]) {
        (self.directory, self.channel, self.gzip, self.objectPaths) = (directory, channel, gzip, objectPaths)
    }

    func fifoPath(epoch: Int) -> String { directory.appendingPathComponent("\(channel)_\(epoch)").path }

    /// Creates the first FIFO (before the worker starts) and starts feeding.
    func start() throws {
        guard mkfifo(fifoPath(epoch: 0), 0o600) == 0 else { throw TarError("mkfifo \(fifoPath(epoch: 0)): \(String(cString: strerror(errno)))") }
        let thread = Thread { [self] in feed() }
        thread.start()
    }

    /// Stops feeding and releases a writer blocked on a FIFO nobody will open.
    func cancel() {
        lock.lock()
        cancelled = true
        let fifo = currentFIFO
        lock.unlock()
        if let fifo {
            let fd = open(fifo, O_RDONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
    }

    private var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    private func feed() {
        var epoch = 0
        while !isCancelled {
            let path = fifoPath(epoch: epoch)
            lock.lock(); currentFIFO = path; lock.unlock()
            let fd = open(path, O_WRONLY)
            if fd < 0 || isCancelled {
                if fd >= 0 { close(fd) }
                return
            }
            do {
                try writeEpoch(to: fd)
            } catch {
                // The reader closed early (EPIPE) or the data is bad; the latter is the job's failure.
                if let e = error as? TarError { lock.lock(); failure = "ClientError: channel '\(channel)': \(e.description)"; lock.unlock() }
            }
            close(fd)
            unlink(path)
            epoch += 1
            if isCancelled || mkfifo(fifoPath(epoch: epoch), 0o600) != 0 { return }
        }
    }

    private func writeEpoch(to fd: Int32) throws {
        for path in objectPaths {
            guard let input = FileHandle(forReadingAtPath: path) else { throw TarError("cannot read \(path)") }
            defer { try? input.close() }
            let decoder = gzip ? try GzipStreamDecoder() : nil
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                if isCancelled { return }
                try chunk.withUnsafeBytes { raw in
                    if let decoder {
                        try decoder.feed(raw) { try Self.writeAll(fd, $0) }
                    } else {
                        try Self.writeAll(fd, raw)
                    }
                }
            }
            try decoder?.finish()
        }
    }

    struct BrokenPipe: Error {}

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw BrokenPipe()
            }
            offset += n
        }
    }
}
