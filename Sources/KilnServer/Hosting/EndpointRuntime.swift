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
    static func loader(for image: String) -> (any ModelLoader)? { registry.withLock { $0.first { $0.serves(image: image) } } }
}

/// The endpoints being served, by account/region/name: each a set of weighted variants.
final class EndpointRuntime: Sendable {
    struct Variant: Sendable {
        var name: String
        var weight: Double
        var model: any ServableModel
    }

    private let live = Mutex<[String: [Variant]]>([:])

    static func key(_ accountId: String, _ region: String, _ name: String) -> String { "\(accountId)/\(region)/\(name.lowercased())" }

    /// Installs (or atomically replaces) an endpoint's variants: in-flight requests finish on the old ones.
    func install(_ key: String, _ variants: [Variant]) { live.withLock { $0[key] = variants } }

    func remove(_ key: String) { live.withLock { _ = $0.removeValue(forKey: key) } }

    func variants(_ key: String) -> [Variant]? { live.withLock { $0[key] } }

    /// Picks the target variant, or one at random in proportion to the weights.
    static func choose(_ variants: [Variant], target: String?) -> Variant? {
        if let target { return variants.first { $0.name == target } }
        let total = variants.reduce(0) { $0 + max(0, $1.weight) }
        guard total > 0 else { return variants.first }
        var pick = Double.random(in: 0..<total)
        for v in variants {
            pick -= max(0, v.weight)
            if pick < 0 { return v }
        }
        return variants.last
    }
}
