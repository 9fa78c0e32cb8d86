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
}

/// The loaders this build carries (filled in by `kiln` at start-up, so the server knows algorithms only through them).
public enum ModelLoaders {
    private static let registry = Mutex<[any ModelLoader]>([])
    public static func register(_ loader: any ModelLoader) { registry.withLock { $0.append(loader) } }
    public static func loader(for image: String) -> (any ModelLoader)? { registry.withLock { $0.first { $0.serves(image: image) } } }
}

