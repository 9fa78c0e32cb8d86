import Dispatch
import Foundation
import ModelServing
import Synchronization

/// Streams one input through a model: records are read in bounded mini-batches, up to `MaxConcurrentTransforms`
/// mini-batches are invoked at once, and results are written in input order as they come. Memory is bounded by
/// `MaxConcurrentTransforms × MaxPayloadInMB` plus the read buffer, whatever the size of the input.
public struct TransformEngine: Sendable {
    public let model: any ServableModel
    public let plan: TransformPlan
    public let processor: RecordProcessor?

    public init(model: any ServableModel, plan: TransformPlan) throws {
        self.model = model
        self.plan = plan
        processor = try plan.processor()
    }

    /// What one input produced.
    public struct Summary: Sendable, Equatable {
        public var records: Int
        public var invocations: Int
    }

    /// Where a failure happened, in the words of the input (object and line or record).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    func place(_ uri: String, _ number: Int) -> String {
        switch plan.splitType {
        case .line: return "\(uri), line \(number)"
        case .recordIO: return "\(uri), record \(number)"
        case .none: return uri
        }
    }

    /// Transforms one object into `output` (any `OutputSink`), checking `cancelled` between mini-batches.
    public func run<Source: ByteChunkSource>(source: Source, uri: String, into output: inout some OutputSink) throws -> Summary {
        var reader = RecordReader(source: source, split: plan.splitType, maxRecordBytes: plan.maxPayloadBytes)
        var batcher = MiniBatcher(multiRecord: plan.multiRecord && plan.splitType != .none, maxPayloadBytes: plan.maxPayloadBytes,
                                  lineSeparated: plan.splitType == .line, processor: processor)
        let concurrency = max(1, plan.maxConcurrentTransforms)
        var pending: [MiniBatch] = []
        var summary = Summary(records: 0, invocations: 0)
        var more = true
        while more {
            do {
                more = try reader.next { record, number in
                    do {
                        if let batch = try batcher.add(record, number: number) { pending.append(batch) }
                    } catch let e as RecordError {
                        throw Failure(description: "\(place(uri, number)): \(e.description)")
                    }
                }
            } catch let e as RecordError {
                throw Failure(description: "\(uri): \(e.description)")
            }
            if !more, let last = batcher.flush() { pending.append(last) }
            if pending.count >= concurrency || (!more && !pending.isEmpty) {
                try invoke(pending, uri: uri, into: &output, summary: &summary)
                pending.removeAll(keepingCapacity: true)
            }
        }
        return summary
    }

    func invoke(_ batches: [MiniBatch], uri: String, into output: inout some OutputSink, summary: inout Summary) throws {
        let results = ResultSlots(count: batches.count)
        let model = self.model, contentType = plan.contentType, accept = plan.accept
        let call = { @Sendable (i: Int) in
            let r: Result<[UInt8], InvocationFailure>
            do {
                r = .success(try model.invoke(batches[i].payload, contentType: contentType, accept: accept).body)
            } catch let e as InvocationFailure {
                r = .failure(e)
            } catch {
                r = .failure(InvocationFailure(status: 500, "\(error)"))
            }
            results.set(i, r)
        }
        if batches.count == 1 { call(0) } else { DispatchQueue.concurrentPerform(iterations: batches.count, execute: call) }
        let answers = results.all
        for (i, batch) in batches.enumerated() {
            summary.invocations += 1
            summary.records += batch.count
            switch answers[i]! {
            case .success(let body): try write(body, of: batch, uri: uri, into: &output)
            case .failure(let failure): throw locate(failure, in: batch, uri: uri)
            }
        }
    }

    /// Finds which record of a failed mini-batch the model rejects, by sending them one at a time.
    func locate(_ failure: InvocationFailure, in batch: MiniBatch, uri: String) -> Failure {
        if batch.count > 1 {
            for i in 0..<batch.count {
                do { _ = try model.invoke(batch.single(i), contentType: plan.contentType, accept: plan.accept) } catch let e as InvocationFailure {
                    return Failure(description: "\(place(uri, batch.recordNumbers[i])): the model rejected the record (status \(e.status)): \(e.message)")
                } catch {
                    return Failure(description: "\(place(uri, batch.recordNumbers[i])): \(error)")
                }
            }
            let first = batch.recordNumbers.first!, last = batch.recordNumbers.last!
            return Failure(description: "\(uri), records \(first)–\(last) (one mini-batch): the model rejected them together (status \(failure.status)): \(failure.message)")
        }
        return Failure(description: "\(place(uri, batch.recordNumbers.first ?? 1)): the model rejected the record (status \(failure.status)): \(failure.message)")
    }

    func write(_ body: [UInt8], of batch: MiniBatch, uri: String, into output: inout some OutputSink) throws {
        guard let processor, processor.needsPerRecordOutput else {
            try output.write(body[...])
            if plan.assembleLines, let last = body.last, last != 10 { try output.write([10][...]) }
            return
        }
        let results: [ArraySlice<UInt8>]
        do { results = try RecordProcessor.splitResponse(body, records: batch.count) } catch let e as RecordError {
            throw Failure(description: "\(uri), records \(batch.recordNumbers.first!)–\(batch.recordNumbers.last!): \(e.description)")
        }
        for (i, result) in results.enumerated() {
            do {
                let joined = try processor.finish(input: batch.inputs[batch.inputRanges[i]], output: result)
                try output.write(joined[...])
                if plan.assembleLines { try output.write([10][...]) }
            } catch let e as RecordError {
                throw Failure(description: "\(place(uri, batch.recordNumbers[i])): \(processor.joinInput ? "joining the input with the result" : "OutputFilter") failed: \(e.description)")
            }
        }
    }
}

/// One result per concurrently invoked mini-batch.
final class ResultSlots: Sendable {
    let slots: Mutex<[Result<[UInt8], InvocationFailure>?]>
    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    func set(_ i: Int, _ r: Result<[UInt8], InvocationFailure>) { slots.withLock { $0[i] = r } }
    var all: [Result<[UInt8], InvocationFailure>?] { slots.withLock { $0 } }
}

/// Where results go: a file, or memory in tests.
public protocol OutputSink {
    mutating func write(_ bytes: ArraySlice<UInt8>) throws
}

/// Collects results in memory (tests).
public struct MemorySink: OutputSink {
    public var bytes: [UInt8] = []
    public init() {}
    public mutating func write(_ bytes: ArraySlice<UInt8>) throws { self.bytes.append(contentsOf: bytes) }
}

/// Writes results to a file through a 1 MiB buffer.
public struct FileSink: OutputSink {
    let handle: FileHandle
    var buffer: [UInt8] = []

    public init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw RecordError("cannot create \(path)") }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(1 << 20)
    }

    public mutating func write(_ bytes: ArraySlice<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public mutating func close() throws {
        try flush()
        try handle.synchronize()
        try handle.close()
    }
}
