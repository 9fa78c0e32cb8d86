import Foundation

/// How one record's content is read by the data-processing steps: CSV rows or JSON values.
public enum RecordFormat: Sendable, Equatable {
    case csv
    case json

    /// The format of a MIME type, or nil when filters and joins cannot apply to it.
    public init?(mime: String?) {
        let m = (mime ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch m {
        case "text/csv", "csv", "": self = .csv
        case "application/json", "application/jsonlines", "application/json-lines", "application/x-jsonlines", "application/jsonl": self = .json
        default: return nil
        }
    }
}

/// A record a filter or a join could not handle, with the reason (the worker adds the object and line).
public struct RecordError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The pure per-record steps of `DataProcessing`: InputFilter before the model, then JoinSource and OutputFilter
/// on each record's result.
public struct RecordProcessor: Sendable {
    public let inputFormat: RecordFormat
    public let outputFormat: RecordFormat
    public let inputFilter: JSONPathFilter
    public let outputFilter: JSONPathFilter
    public let joinInput: Bool

    public init(inputFormat: RecordFormat, outputFormat: RecordFormat, inputFilter: JSONPathFilter, outputFilter: JSONPathFilter, joinInput: Bool) {
        (self.inputFormat, self.outputFormat, self.inputFilter, self.outputFilter, self.joinInput) =
            (inputFormat, outputFormat, inputFilter, outputFilter, joinInput)
    }

    /// Whether outputs must be handled record by record (otherwise responses are written as they come).
    public var needsPerRecordOutput: Bool { joinInput || !outputFilter.isIdentity }

    /// The bytes sent to the model for one input record.
    public func filterInput(_ record: ArraySlice<UInt8>) throws -> [UInt8] {
        switch inputFormat {
        case .csv:
            let cells = CSV.cells(record)
            do { return CSV.row(try inputFilter.apply(cells: cells)) } catch let e as JSONPathFilter.ParseError { throw RecordError(e.description) }
        case .json:
            let value = try JSONValue.parse(record)
            do { return try JSONValue.serialize(try inputFilter.apply(json: value)) } catch let e as JSONPathFilter.ParseError { throw RecordError(e.description) }
        }
    }

    /// One output record: the model's result for an input record, joined with the input and filtered as asked.
    public func finish(input: ArraySlice<UInt8>, output: ArraySlice<UInt8>) throws -> [UInt8] {
        let format = joinInput ? inputFormat : outputFormat
        do {
            switch format {
            case .csv:
                var cells = joinInput ? CSV.cells(input) : []
                cells += CSV.cells(output)
                return CSV.row(try outputFilter.apply(cells: cells))
            case .json:
                var value: Any
                if joinInput {
                    let result: Any = (try? JSONValue.parse(output)) ?? String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    let original = try JSONValue.parse(input)
                    if var object = original as? [String: Any] {
                        object["SageMakerOutput"] = result
                        value = object
                    } else {
                        value = ["SageMakerInput": original, "SageMakerOutput": result]
                    }
                } else {
                    value = try JSONValue.parse(output)
                }
                value = try outputFilter.apply(json: value)
                return try JSONValue.serialize(value)
            }
        } catch let e as JSONPathFilter.ParseError {
            throw RecordError(e.description)
        }
    }

    /// Cuts one model response into one result per input record: by lines (CSV, JSON Lines), or the elements of a
    /// JSON array (bare or as the one array of an object such as `{"predictions": […]}`).
    public static func splitResponse(_ body: [UInt8], records: Int) throws -> [ArraySlice<UInt8>] {
        var end = body.count
        while end > 0, body[end - 1] == 10 || body[end - 1] == 13 || body[end - 1] == 32 { end -= 1 }
        let trimmed = body[0..<end]
        if records == 1 { return [trimmed] }
        let lines = trimmed.split(separator: 10, omittingEmptySubsequences: false).map { l in l.last == 13 ? l.dropLast() : l }
        if lines.count == records { return lines }
        if let parsed = try? JSONSerialization.jsonObject(with: Data(trimmed), options: [.fragmentsAllowed]) {
            var items: [Any]? = parsed as? [Any]
            if items == nil, let object = parsed as? [String: Any], object.count == 1 { items = object.values.first as? [Any] }
            if let items, items.count == records {
                return try items.map { ArraySlice(try JSONValue.serialize($0)) }
            }
        }
        throw RecordError("the model answered \(lines.count) line(s) for a mini-batch of \(records) records, so results cannot be matched to input records (use BatchStrategy SingleRecord or an Accept type with one line per record)")
    }
}

/// CSV rows as cells (double quotes respected) and back.
public enum CSV {
    public static func cells(_ row: ArraySlice<UInt8>) -> [Substring] {
        var row = row
        while let last = row.last, last == 10 || last == 13 { row = row.dropLast() }
        let text = String(decoding: row, as: UTF8.self)
        guard text.contains("\"") else { return text.split(separator: ",", omittingEmptySubsequences: false) }
        var out: [Substring] = []
        var start = text.startIndex
        var quoted = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\"" { quoted.toggle() } else if c == ",", !quoted {
                out.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        out.append(text[start..<text.endIndex])
        return out
    }

    public static func row(_ cells: [Substring]) -> [UInt8] { Array(cells.joined(separator: ",").utf8) }
}

/// JSON values through Foundation, with errors a user can read.
enum JSONValue {
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> Any {
        do { return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
            let text = String(decoding: bytes.prefix(80), as: UTF8.self)
            throw RecordError("the record is not valid JSON: \(text)\(bytes.count > 80 ? "…" : "")")
        }
    }

    static func serialize(_ value: Any) throws -> [UInt8] {
        do { return Array(try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])) } catch {
            throw RecordError("the value cannot be written as JSON: \(error)")
        }
    }
}
