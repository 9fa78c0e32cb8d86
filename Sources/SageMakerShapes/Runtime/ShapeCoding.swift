// Hand-written runtime for the generated SageMaker shapes: JSON 1.1 decoding and encoding.
//
// The generated structs (Generated/) conform to `AWSShape`. Every member is Optional so a
// missing member never fails decoding: required-ness is the validator's business, as it is
// for AWS, which answers a missing member with a ValidationException. A member of the wrong
// JSON type does fail decoding, with a `ShapeDecodingError` that names the member's path;
// a server maps it to `SerializationException`.

import Foundation

/// A shape that can check itself against the model's constraints.
public protocol ValidatableShape {
    /// Appends one AWS-style message per violated constraint, e.g.
    /// `Value null at 'roleArn' failed to satisfy constraint: Member must not be null`.
    /// `path` is the shape's own path ("" for a request's top level).
    func validate(at path: String, into errors: inout [String])
}

/// What every generated SageMaker structure is.
public protocol AWSShape: Codable, Hashable, Sendable, ValidatableShape {}

extension AWSShape {
    /// Decodes a JSON 1.1 body into this shape (see `decodeShape`).
    public static func decode(from body: Data) throws(ShapeDecodingError) -> Self {
        try decodeShape(Self.self, from: body)
    }

    /// Encodes this shape as a JSON 1.1 body (see `encodeShape`).
    public func encoded() throws(ShapeEncodingError) -> Data {
        try encodeShape(self)
    }
}

extension ValidatableShape {
    /// Every constraint violation, in the order the validator found them.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        validate(at: "", into: &errors)
        return errors
    }
}

/// A structure with no members: the input or output of an operation that has none.
public struct EmptyShape: AWSShape {
    public init() {}

    public init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: AnyShapeKey.self)
    }

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: AnyShapeKey.self)
    }

    public func validate(at path: String, into errors: inout [String]) {}
}

// MARK: - Errors

/// A request body that cannot be read as the operation's input shape: not JSON, not an
/// object, or a member of the wrong JSON type. AWS answers these with `SerializationException`.
public struct ShapeDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A human-readable message naming the member, e.g.
    /// `Expected an integer at 'resourceConfig.instanceCount' but found a string`.
    public var message: String
    /// The member's path in AWS's notation (`inputDataConfig.1.member.channelName`), or nil
    /// when the problem is the body as a whole.
    public var path: String?

    public init(message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String { message }
}

/// A shape that could not be encoded (only possible for hand-built values the JSON writer refuses).
public struct ShapeEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

// MARK: - Decoding and encoding

/// Decodes a JSON 1.1 request or response body into `type`.
///
/// An empty (or all-whitespace) body reads as `{}`, so an input with no members set decodes
/// to an all-nil value. Unknown members are ignored and `null` reads as absent, as AWS does.
/// Timestamps accept epoch seconds (integer or fractional) and, leniently, ISO 8601 strings;
/// blobs are base64 strings; doubles also accept "NaN", "Infinity" and "-Infinity".
public func decodeShape<T: Decodable>(_ type: T.Type, from data: Data) throws(ShapeDecodingError) -> T {
    let body = data.allSatisfy(ShapeJSON.isWhitespace) ? Data("{}".utf8) : data
    do {
        return try ShapeJSON.makeDecoder().decode(T.self, from: body)
    } catch let error as DecodingError {
        throw ShapeJSON.describe(error, body: body)
    } catch {
        throw ShapeDecodingError(message: "The request body could not be read: \(error)")
    }
}

/// Encodes a shape as a JSON 1.1 body: nil members are omitted, timestamps are epoch seconds
/// (a JSON number, millisecond precision), blobs base64, keys sorted, slashes unescaped.
public func encodeShape<T: Encodable>(_ value: T) throws(ShapeEncodingError) -> Data {
    do {
        return try ShapeJSON.makeEncoder().encode(value)
    } catch {
        throw ShapeEncodingError(message: "The shape could not be encoded: \(error)")
    }
}

enum ShapeJSON {
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// Turns a Foundation decoding error into a message that names the member.
    static func describe(_ error: DecodingError, body: Data) -> ShapeDecodingError {
        switch error {
        case .typeMismatch(let type, let context):
            let path = awsPath(context.codingPath)
            let found = foundDescription(in: body, at: context.codingPath)
            if context.codingPath.isEmpty {
                return ShapeDecodingError(message: "The request body must be a JSON object but is \(found)")
            }
            return ShapeDecodingError(
                message: "Expected \(expectedDescription(type)) at '\(path)' but found \(found)", path: path)
        case .valueNotFound(let type, let context):
            let path = awsPath(context.codingPath)
            if context.codingPath.isEmpty {
                return ShapeDecodingError(message: "The request body must be a JSON object but is null")
            }
            return ShapeDecodingError(
                message: "Expected \(expectedDescription(type)) at '\(path)' but found null", path: path)
        case .keyNotFound(let key, let context):
            let path = awsPath(context.codingPath + [key])
            return ShapeDecodingError(message: "Missing member '\(path)'", path: path)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return ShapeDecodingError(message: "The request body is not valid JSON")
            }
            let path = awsPath(context.codingPath)
            return ShapeDecodingError(
                message: "Cannot read the value at '\(path)': \(context.debugDescription)", path: path)
        @unknown default:
            return ShapeDecodingError(message: "The request body could not be read: \(error)")
        }
    }

    /// AWS's spelling of a member path: structure members with their first letter lowered,
    /// list elements as `N.member` (1-based), map values as `key.member`.
    static func awsPath(_ codingPath: [any CodingKey]) -> String {
        var parts: [String] = []
        for key in codingPath {
            if key is any ShapeCodingKey {
                parts.append(ShapePath.lowerFirst(key.stringValue))
            } else if let index = arrayIndex(key) {
                parts.append(String(index + 1))
                parts.append("member")
            } else {
                parts.append(key.stringValue)
                parts.append("member")
            }
        }
        return parts.joined(separator: ".")
    }

    /// The index of an unkeyed-container key. Foundation names those "Index N"; a map key
    /// that merely looks like a number ("5") also has an intValue and must not match.
    static func arrayIndex(_ key: any CodingKey) -> Int? {
        guard let index = key.intValue, key.stringValue == "Index \(index)" else { return nil }
        return index
    }

    static func expectedDescription(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is ShapeInteger.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is Date.Type, is ShapeTimestamp.Type: return "a timestamp"
        case is Data.Type, is ShapeBlob.Type: return "a base64-encoded string"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.hasPrefix("[") && !name.contains(":") { return "a list" }
            return "a structure or map"
        }
    }

    /// What the body actually holds at `codingPath` ("a string", "a list", ...).
    static func foundDescription(in body: Data, at codingPath: [any CodingKey]) -> String {
        guard var value = try? makeDecoder().decode(JSONValue.self, from: body) else { return "something else" }
        for key in codingPath {
            switch value {
            case .object(let members):
                guard let next = members[key.stringValue] else { return "something else" }
                value = next
            case .array(let elements):
                guard let index = arrayIndex(key), elements.indices.contains(index) else { return "something else" }
                value = elements[index]
            default:
                return "something else"
            }
        }
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let number): return number.rounded() == number ? "an integer" : "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "a structure or map"
        }
    }
}

// MARK: - Coding keys

/// Marks the generated structures' CodingKeys, so error paths can tell a structure member
/// (path segment = member name, first letter lowered) from a map key (kept as sent).
protocol ShapeCodingKey: CodingKey {}

/// A key type for structures with no members.
struct AnyShapeKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

// MARK: - Timestamps and blobs

/// The JSON form of a timestamp member: epoch seconds as a number.
///
/// Decoding accepts a number (integer or fractional seconds) and, leniently, a string holding
/// epoch seconds or an ISO 8601 date-time. Encoding writes a number with millisecond precision.
public struct ShapeTimestamp: Codable, Hashable, Sendable {
    public var date: Date

    public init(_ date: Date) {
        self.date = date
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let date = Self.parse(text) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "'\(text)' is not a timestamp (epoch seconds or an ISO 8601 date-time)"))
            }
            self.date = date
            return
        }
        if let seconds = try? container.decode(Double.self), seconds.isFinite {
            self.date = Date(timeIntervalSince1970: seconds)
            return
        }
        throw DecodingError.typeMismatch(Date.self, DecodingError.Context(
            codingPath: decoder.codingPath, debugDescription: "Expected epoch seconds"))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode((date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// Epoch seconds or ISO 8601 (with or without fractional seconds), else nil.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite {
            return Date(timeIntervalSince1970: seconds)
        }
        if let date = try? Date(trimmed, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(trimmed, strategy: Date.ISO8601FormatStyle())
    }
}

/// The JSON form of an integer or long member inside a list or map (direct members use
/// `decodeIntegerIfPresent`). Foundation refuses a JSON number with a fraction as an `Int`, and
/// reports it without a member path; AWS accepts it and drops the fraction, and so does this.
public struct ShapeInteger: Decodable, Hashable, Sendable {
    public var value: Int

    public init(_ value: Int) {
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            self.value = try container.decode(Int.self)
        } catch {
            try Self.rethrowUnlessNumberRange(error)
            let number = try container.decode(Double.self)
            self.value = try Self.integer(from: number, codingPath: decoder.codingPath)
        }
    }

    /// Foundation reports a JSON number no Int can hold with an internal error (or, on some
    /// platforms, `dataCorrupted`); anything else, such as a type mismatch, is rethrown.
    static func rethrowUnlessNumberRange(_ error: any Error) throws {
        guard let decodingError = error as? DecodingError else { return }
        if case .dataCorrupted = decodingError { return }
        throw decodingError
    }

    /// `number` rounded toward negative infinity, or an error naming the path if no Int holds it.
    static func integer(from number: Double, codingPath: [any CodingKey]) throws -> Int {
        let floored = number.rounded(.down)
        guard floored.isFinite, floored >= -9_223_372_036_854_775_808, floored < 9_223_372_036_854_775_808 else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath, debugDescription: "\(number) does not fit in a 64-bit integer"))
        }
        return Int(floored)
    }
}

extension KeyedDecodingContainer {
    /// `decodeIfPresent(Int.self, forKey:)`, but a number with a fraction is floored (as AWS
    /// does) and one out of range fails with the member's path.
    func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        do {
            return try decodeIfPresent(Int.self, forKey: key)
        } catch {
            try ShapeInteger.rethrowUnlessNumberRange(error)
            guard let number = try decodeIfPresent(Double.self, forKey: key) else { return nil }
            return try ShapeInteger.integer(from: number, codingPath: codingPath + [key])
        }
    }
}

/// The JSON form of a blob member: a base64 string.
public struct ShapeBlob: Codable, Hashable, Sendable {
    public var data: Data

    public init(_ data: Data) {
        self.data = data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "the value is not valid base64"))
        }
        self.data = data
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(data.base64EncodedString())
    }
}
