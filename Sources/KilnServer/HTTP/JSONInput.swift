import AWSWire
import Foundation

/// A JSON request body read loosely, with AWS-shaped errors for wrong types.
struct JSONInput {
    let object: [String: Any]

    init(_ body: [UInt8]) throws {
        if body.isEmpty { object = [:]; return }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)), let dict = parsed as? [String: Any] else {
            throw AWSError("SerializationException", status: 400, "Unable to parse the request body as a JSON object")
        }
        object = dict
    }

    func string(_ name: String) throws -> String? {
        guard let v = object[name], !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw typeError(name, "string") }
        return s
    }

    func requiredString(_ name: String) throws -> String {
        guard let s = try string(name) else {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value null at '\(name)' failed to satisfy constraint: Member must not be null")
        }
        return s
    }

    func int(_ name: String) throws -> Int64? {
        guard let v = object[name], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, !Self.isBoolean(n), !Self.isFloat(n) || n.doubleValue == n.doubleValue.rounded() else {
            throw typeError(name, "integer")
        }
        return n.int64Value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let v = object[name], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, Self.isBoolean(n) else { throw typeError(name, "boolean") }
        return n.boolValue
    }

    func array(_ name: String) throws -> [Any]? {
        guard let v = object[name], !(v is NSNull) else { return nil }
        guard let a = v as? [Any] else { throw typeError(name, "list") }
        return a
    }

    func typeError(_ name: String, _ expected: String) -> AWSError {
        AWSError("SerializationException", status: 400, "Unexpected value for '\(name)': expected a \(expected)")
    }
}

extension JSONInput {
    /// JSON `true`/`false` arrive as NSNumbers of type `c`; the numbers 0 and 1 also cast to `Bool`, so check the type.
    static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }
    static func isFloat(_ n: NSNumber) -> Bool { ["d", "f"].contains(String(cString: n.objCType)) }
}
