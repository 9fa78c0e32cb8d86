import Foundation
import ModelServing
import Synchronization

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
