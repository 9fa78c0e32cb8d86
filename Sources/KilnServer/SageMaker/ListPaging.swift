import AWSWire
import Foundation

/// Sorting and offset-token paging shared by the SageMaker List* operations.
enum ListPaging {
    /// A creation time as a fixed-width string, so string order is time order.
    static func timeKey(_ d: Date?) -> String { String(format: "%020.6f", d?.timeIntervalSince1970 ?? 0) }

    static func sort<T>(_ items: [T], by key: (T) -> String, ascending: Bool) -> [T] {
        items.sorted { ascending ? key($0) < key($1) : key($0) > key($1) }
    }

    /// One page after the offset the token names; the token of the next page, or nil at the end.
    static func page<T>(_ items: [T], token: String?, max: Int) throws -> ([T], String?) {
        let offset = try token.map { t -> Int in
            guard let n = Int(t), n >= 0 else { throw AWSError("ValidationException", status: 400, "Invalid pagination token") }
            return n
        } ?? 0
        let page = Array(items.dropFirst(offset).prefix(max))
        return (page, offset + page.count < items.count ? String(offset + page.count) : nil)
    }
}
