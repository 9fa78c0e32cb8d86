import Foundation

/// Applies metric definitions to log lines as SageMaker does: each match is a data point, the last one wins.
public struct MetricExtractor: Sendable {
    struct Compiled: @unchecked Sendable {
        var name: String
        var regex: NSRegularExpression
    }

    let compiled: [Compiled]
    public private(set) var latest: [String: (value: Double, time: Date)] = [:]

    /// Definitions whose regex does not compile are skipped (their names are reported by `invalid`).
    public init(_ definitions: [MetricPattern]) {
        var ok: [Compiled] = []
        for d in definitions {
            if let r = try? NSRegularExpression(pattern: d.regex) { ok.append(Compiled(name: d.name, regex: r)) }
        }
        compiled = ok
    }

    /// Reads one log line (already with TABs shown as `#011`, as CloudWatch stores them).
    public mutating func consume(_ line: String, at time: Date = Date()) {
        let range = NSRange(line.startIndex..., in: line)
        for c in compiled {
            guard let m = c.regex.firstMatch(in: line, range: range), m.numberOfRanges > 1,
                  let r = Range(m.range(at: 1), in: line), let v = Double(line[r]), v.isFinite else { continue }
            latest[c.name] = (v, time)
        }
    }

    /// The final value of every metric seen, sorted by name.
    public var finalMetrics: [(name: String, value: Double, time: Date)] {
        latest.keys.sorted().map { (name: $0, value: latest[$0]!.value, time: latest[$0]!.time) }
    }
}

/// CloudWatch stores a TAB as the four characters `#011` (syslog's octal escape); built-in regexes expect that.
public func cloudWatchEscaped(_ line: String) -> String {
    line.contains("\t") ? line.replacingOccurrences(of: "\t", with: "#011") : line
}
