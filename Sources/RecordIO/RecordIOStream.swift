/// Whole-stream helpers: read every Record of a RecordIO-protobuf body, or write records as one.
public enum RecordIOStream {
    /// Decodes all records; errors name the byte offset of the bad record.
    public static func records(_ bytes: [UInt8]) throws(RecordIOError) -> [AmazonRecord] {
        var reader = RecordIOReader(bytes)
        var out: [AmazonRecord] = []
        while let payload = try reader.nextPayload() {
            do {
                out.append(try RecordProtobuf.decode(payload))
            } catch {
                throw .malformedProtobuf("record at byte \(reader.recordOffset): \(error)")
            }
        }
        return out
    }

    public static func encode(_ records: [AmazonRecord]) throws(RecordIOError) -> [UInt8] {
        var out: [UInt8] = []
        for r in records { try RecordIOFraming.appendFrame(RecordProtobuf.encode(r), to: &out) }
        return out
    }
}
