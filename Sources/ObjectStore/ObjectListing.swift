import Foundation
import Metadata

/// One page of a bucket listing, with keys rolled up into common prefixes by the delimiter.
public struct ListingPage: Sendable {
    public var objects: [ObjectRecord] = []
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    /// The last key or common prefix returned; the next page starts after it.
    public var nextMarker: String?
}

/// Lists keys the way S3 does: byte order, prefix filter, delimiter roll-up, and `maxKeys` counting both
/// keys and common prefixes. A marker that is a common prefix skips every key under it.
public struct ObjectListing: Sendable {
    let objects: any ObjectRepository

    public init(objects: any ObjectRepository) { self.objects = objects }

    public func list(bucket: String, prefix: String, delimiter: String?, marker: String?, maxKeys: Int) async throws -> ListingPage {
        var page = ListingPage()
        guard maxKeys > 0 else { return page }
        let delimiter = (delimiter?.isEmpty ?? true) ? nil : delimiter
        var after: String? = marker
        var from: Data? = nil
        if let marker, let delimiter, marker.hasPrefix(prefix), marker.utf8.count > prefix.utf8.count,
           marker.utf8.dropFirst(prefix.utf8.count).count >= delimiter.utf8.count, marker.hasSuffix(delimiter) {
            // The marker is a rolled-up prefix: resume after everything beneath it.
            after = nil
            from = prefixUpperBound(marker)
            if from == nil { return page }
        }
        var count = 0
        let batch = min(maxKeys + 1, 1000)
        while true {
            let rows = try await objects.listObjects(bucket: bucket, prefix: prefix, after: after, from: from, limit: batch)
            if rows.isEmpty { return page }
            var skipTo: Data? = nil
            for row in rows {
                var rolledUp: String? = nil
                if let delimiter {
                    let rest = row.key.utf8.dropFirst(prefix.utf8.count)
                    if let range = String(decoding: rest, as: UTF8.self).range(of: delimiter) {
                        let restString = String(decoding: rest, as: UTF8.self)
                        rolledUp = prefix + restString[..<range.upperBound]
                    }
                }
                if count == maxKeys {
                    page.isTruncated = true
                    return page
                }
                if let cp = rolledUp {
                    page.commonPrefixes.append(cp)
                    page.nextMarker = cp
                    count += 1
                    guard let next = prefixUpperBound(cp) else { return page }
                    skipTo = next
                    break
                }
                page.objects.append(row)
                page.nextMarker = row.key
                count += 1
            }
            if let skipTo {
                after = nil
                from = skipTo
            } else {
                after = rows.last!.key
                from = nil
                if rows.count < batch && count < maxKeys { return page }
                if rows.count < batch && count == maxKeys { return page }
            }
        }
    }
}
