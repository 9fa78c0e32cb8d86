/// Records grouped for one model invocation: the payload the model gets and, per record, where it lies in the
/// payload, its number in the object and (when results are joined with the input) its original bytes.
public struct MiniBatch: Sendable {
    public var payload: [UInt8] = []
    public var payloadRanges: [Range<Int>] = []
    public var recordNumbers: [Int] = []
    public var inputs: [UInt8] = []
    public var inputRanges: [Range<Int>] = []

    public var count: Int { recordNumbers.count }
    public var isEmpty: Bool { recordNumbers.isEmpty }

    /// The payload of one record alone (to find which record of a failed mini-batch the model rejects).
    public func single(_ i: Int) -> [UInt8] { Array(payload[payloadRanges[i]]) }
}

/// Groups records into mini-batches: one record each (`SingleRecord`), or as many as fit in `MaxPayloadInMB`
/// (`MultiRecord`). Line records are sent newline-terminated; RecordIO frames and whole objects as they are.
public struct MiniBatcher {
    public let multiRecord: Bool
    public let maxPayloadBytes: Int
    public let lineSeparated: Bool
    public let processor: RecordProcessor?
    public let keepInputs: Bool
    var current = MiniBatch()

    public init(multiRecord: Bool, maxPayloadBytes: Int, lineSeparated: Bool, processor: RecordProcessor?) {
        self.multiRecord = multiRecord
        self.maxPayloadBytes = maxPayloadBytes
        self.lineSeparated = lineSeparated
        self.processor = processor
        keepInputs = processor?.needsPerRecordOutput ?? false
    }

    /// Adds a record; returns a mini-batch that is complete (never more than one per call).
    public mutating func add(_ record: ArraySlice<UInt8>, number: Int) throws -> MiniBatch? {
        var filtered: [UInt8]? = nil
        if let processor, !processor.inputFilter.isIdentity {
            do { filtered = try processor.filterInput(record) } catch let e as RecordError {
                throw RecordError("InputFilter '\(processor.inputFilter)' failed: \(e.description)")
            }
        }
        let size = (filtered?.count ?? record.count) + (lineSeparated ? 1 : 0)
        if size > maxPayloadBytes {
            throw RecordError("the record is \(size) bytes, more than MaxPayloadInMB (\(maxPayloadBytes >> 20) MB)")
        }
        var done: MiniBatch? = nil
        if !current.isEmpty && current.payload.count + size > maxPayloadBytes {
            done = current
            current = MiniBatch()
        }
        let at = current.payload.count
        if let filtered { current.payload += filtered } else { current.payload.append(contentsOf: record) }
        if lineSeparated { current.payload.append(10) }
        current.payloadRanges.append(at..<current.payload.count)
        current.recordNumbers.append(number)
        if keepInputs {
            let i = current.inputs.count
            current.inputs.append(contentsOf: record)
            current.inputRanges.append(i..<current.inputs.count)
        }
        if !multiRecord {
            precondition(done == nil)
            done = current
            current = MiniBatch()
        }
        return done
    }

    /// The last, partly filled mini-batch.
    public mutating func flush() -> MiniBatch? {
        guard !current.isEmpty else { return nil }
        defer { current = MiniBatch() }
        return current
    }
}
