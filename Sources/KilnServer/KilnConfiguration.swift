import Foundation

/// Everything `kiln serve` can be told, from flags, environment (`KILN_*`) or a JSON config file.
public struct KilnConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; the banner prints the one chosen.
    public var port = 8700
    public var dataDirectory = "./kiln-data"
    public var authMode = AuthMode.sigv4
    public var accountId = "000000000000"
    /// Region used when a request names none (SigV2 presigned URLs).
    public var defaultRegion = "us-east-1"
    /// Host suffixes for virtual-hosted-style S3 (`bucket.localhost`).
    public var virtualHostSuffixes = ["localhost"]
    public var logLevel = "info"
    /// Training jobs that run at once; each worker uses every core, so one fits a small machine.
    public var trainingSlots = 1
    /// The `kiln` binary that runs `kiln worker` (this executable by default).
    public var workerExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

    public init() {}

    /// Applies a JSON config file: `{"host": …, "port": …, "dataDir": …, "auth": …, "accountId": …, "region": …, "logLevel": …}`.
    public mutating func apply(configFile path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError("config file \(path) must hold a JSON object")
        }
        let known: Set<String> = ["host", "port", "dataDir", "auth", "accountId", "region", "logLevel", "virtualHostSuffixes", "trainingSlots"]
        if let unknown = obj.keys.first(where: { !known.contains($0) }) {
            throw ConfigurationError("config file \(path): unknown key '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let v = obj["host"] as? String { host = v }
        if let v = obj["port"] as? Int { port = v }
        if let v = obj["dataDir"] as? String { dataDirectory = v }
        if let v = obj["auth"] as? String { try setAuth(v) }
        if let v = obj["accountId"] as? String { try setAccount(v) }
        if let v = obj["region"] as? String { defaultRegion = v }
        if let v = obj["logLevel"] as? String { logLevel = v }
        if let v = obj["virtualHostSuffixes"] as? [String] { virtualHostSuffixes = v }
        if let v = obj["trainingSlots"] as? Int { trainingSlots = max(1, v) }
    }

    /// Applies `KILN_HOST`, `KILN_PORT`, `KILN_DATA_DIR`, `KILN_AUTH`, `KILN_ACCOUNT_ID`, `KILN_REGION`, `KILN_LOG_LEVEL`.
    public mutating func apply(environment env: [String: String]) throws {
        if let v = env["KILN_HOST"] { host = v }
        if let v = env["KILN_PORT"] {
            guard let p = Int(v) else { throw ConfigurationError("KILN_PORT must be a number, got '\(v)'") }
            port = p
        }
        if let v = env["KILN_DATA_DIR"] { dataDirectory = v }
        if let v = env["KILN_AUTH"] { try setAuth(v) }
        if let v = env["KILN_ACCOUNT_ID"] { try setAccount(v) }
        if let v = env["KILN_REGION"] { defaultRegion = v }
        if let v = env["KILN_LOG_LEVEL"] { logLevel = v }
        if let v = env["KILN_TRAINING_SLOTS"] {
            guard let n = Int(v), n >= 1 else { throw ConfigurationError("KILN_TRAINING_SLOTS must be a positive number, got '\(v)'") }
            trainingSlots = n
        }
    }

    public mutating func setAuth(_ v: String) throws {
        guard let mode = AuthMode(rawValue: v) else {
            throw ConfigurationError("auth must be one of \(AuthMode.allCases.map(\.rawValue).joined(separator: ", ")); got '\(v)'")
        }
        authMode = mode
    }

    public mutating func setAccount(_ v: String) throws {
        guard v.count == 12, v.allSatisfy(\.isNumber) else { throw ConfigurationError("account id must be 12 digits; got '\(v)'") }
        accountId = v
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
