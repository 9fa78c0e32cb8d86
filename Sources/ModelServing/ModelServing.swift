import Foundation
import Synchronization

/// A model loaded for serving: read-only, shared by concurrent invocations.
public protocol ServableModel: Sendable {
    /// Answers one request; throws `InvocationFailure` for input the model rejects.
    func invoke(_ body: [UInt8], contentType: String?, accept: String?) throws -> (body: [UInt8], contentType: String)
}

/// Input a model rejected: the status and message reach the caller as `ModelError`.
public struct InvocationFailure: Error, Sendable {
    public var status: Int
    public var message: String
    public init(status: Int = 400, _ message: String) { (self.status, self.message) = (status, message) }
}

/// Turns a model's container definition and unpacked artifacts into a servable model.
public protocol ModelLoader: Sendable {
    /// Whether this loader serves the image (by repository name and tag, like the training catalogue).
    func serves(image: String) -> Bool
    func load(modelDirectory: URL, environment: [String: String]) throws -> any ServableModel
    /// Loads for a given image: loaders whose answers differ between image versions override this.
    func load(modelDirectory: URL, environment: [String: String], image: String) throws -> any ServableModel
}

extension ModelLoader {
    public func load(modelDirectory: URL, environment: [String: String], image: String) throws -> any ServableModel {
        try load(modelDirectory: modelDirectory, environment: environment)
    }
}

/// The loaders this build carries (filled in by `kiln` at start-up, so the server knows algorithms only through them).
public enum ModelLoaders {
    private static let registry = Mutex<[any ModelLoader]>([])
    public static func register(_ loader: any ModelLoader) { registry.withLock { $0.append(loader) } }
    public static func loader(for image: String) -> (any ModelLoader)? { registry.withLock { $0.first { $0.serves(image: image) } } }
}


/// Media types as the serving containers compare them.
public enum MediaType {
    /// `type/subtype` of a Content-Type or Accept value, lower-cased, without parameters or spaces
    /// (`"text/csv; charset=utf-8"` → `"text/csv"`); empty for nil.
    public static func essence(_ header: String?) -> String {
        guard let header else { return "" }
        var out: [UInt8] = []
        for b in header.utf8 {
            if b == UInt8(ascii: ";") || b == UInt8(ascii: ",") { break }
            if b == 32 || b == 9 { continue }
            out.append(b >= 65 && b <= 90 ? b + 32 : b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
