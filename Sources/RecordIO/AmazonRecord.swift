/// A tensor value of SageMaker's `aialgs.data.Record` (`Value` oneof). Sparse when `keys` is not empty.
public enum Tensor: Equatable, Sendable {
    case float32(values: [Float], keys: [UInt64], shape: [UInt64])
    case float64(values: [Double], keys: [UInt64], shape: [UInt64])
    case int32(values: [Int32], keys: [UInt64], shape: [UInt64])
    case bytes(values: [[UInt8]], contentType: String?)
    /// A `Value` with no member set.
    case empty

    public static func dense(_ values: [Float]) -> Tensor { .float32(values: values, keys: [], shape: []) }

    public var keys: [UInt64] {
        switch self {
        case .float32(_, let k, _), .float64(_, let k, _), .int32(_, let k, _): k
        default: []
        }
    }

    public var shape: [UInt64] {
        switch self {
        case .float32(_, _, let s), .float64(_, _, let s), .int32(_, _, let s): s
        default: []
        }
    }

    /// The values as Float (float64 narrowed, int32 converted), as first-party algorithms read them.
    public var floatValues: [Float] {
        switch self {
        case .float32(let v, _, _): v
        case .float64(let v, _, _): v.map { Float($0) }
        case .int32(let v, _, _): v.map { Float($0) }
        case .bytes, .empty: []
        }
    }

    /// A dense row of `width` values: dense tensors as they are (padded/truncated to width), sparse ones scattered.
    /// Throws if a sparse key is out of range.
    public func denseRow(width: Int) throws(RecordIOError) -> [Float] {
        let values = floatValues
        let keys = self.keys
        if keys.isEmpty {
            guard values.count <= width else {
                throw .malformedProtobuf("a dense tensor has \(values.count) values, more than feature_dim \(width)")
            }
            return values + [Float](repeating: 0, count: width - values.count)
        }
        guard keys.count == values.count else { throw .malformedProtobuf("sparse tensor has \(keys.count) keys but \(values.count) values") }
        var row = [Float](repeating: 0, count: width)
        for (k, v) in zip(keys, values) {
            guard k < UInt64(width) else { throw .malformedProtobuf("sparse key \(k) is outside feature_dim \(width)") }
            row[Int(k)] = v
        }
        return row
    }
}

/// One `Record`: named feature and label tensors (`"values"` by convention), plus optional strings.
public struct AmazonRecord: Equatable, Sendable {
    public var features: [String: Tensor]
    public var label: [String: Tensor]
    public var uid: String?
    public var metadata: String?
    public var configuration: String?

    public init(features: [String: Tensor] = [:], label: [String: Tensor] = [:], uid: String? = nil, metadata: String? = nil,
                configuration: String? = nil) {
        (self.features, self.label, self.uid, self.metadata, self.configuration) = (features, label, uid, metadata, configuration)
    }
}
