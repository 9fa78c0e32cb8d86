/// Where an S3 object of a channel lands under `/opt/ml/input/data/<channel>/`.
public enum ChannelPaths {
    /// The object's path relative to the channel folder: the key without the prefix's folder part
    /// (`s3://b/data/train.csv` as a prefix of key `data/train.csv` gives `train.csv`; prefix `data/` and key
    /// `data/x/y.csv` give `x/y.csv`). Nil when the key cannot be a safe relative path (`..`, `.`, empty parts).
    public static func relativePath(key: String, prefix: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        let folder = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        let rest = String(key.dropFirst(folder.count))
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.contains("\0") }) else {
            return nil
        }
        return parts.joined(separator: "/")
    }

    /// Splits `s3://bucket/key` into its parts.
    public static func parseS3URI(_ uri: String) -> (bucket: String, key: String)? {
        guard uri.hasPrefix("s3://") else { return nil }
        let rest = uri.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return rest.isEmpty ? nil : (String(rest), "") }
        let bucket = String(rest[..<slash])
        return bucket.isEmpty ? nil : (bucket, String(rest[rest.index(after: slash)...]))
    }
}
