import Foundation

/// The first-party containers' Python-logging prefix, `[MM/DD/YYYY HH:MM:SS INFO <thread>] `, in front of every
/// message, so log lines read as SageMaker's do (the metric regexes only look after the prefix).
struct FirstPartyLog {
    let write: (String) -> Void
    private let thread = String(describing: pthread_self())

    init(_ write: @escaping (String) -> Void) { self.write = write }

    func callAsFunction(_ message: String, level: String = "INFO") {
        write("[\(Self.timestamp()) \(level) \(thread)] \(message)")
    }

    static func timestamp(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%02d/%02d/%04d %02d:%02d:%02d", parts.tm_mon + 1, parts.tm_mday, parts.tm_year + 1900,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
