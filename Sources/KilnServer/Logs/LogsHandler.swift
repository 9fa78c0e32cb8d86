import AWSWire
import Foundation
import Hummingbird
import Metadata

/// CloudWatch Logs (JSON 1.1, `Logs_20140328.*`): the subset SageMaker jobs write and the SDKs read.
struct LogsHandler: Sendable {
    let logs: any LogRepository

    static let operations: Set<String> = ["CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogGroups", "DescribeLogStreams",
                                          "GetLogEvents", "FilterLogEvents", "DeleteLogGroup"]

    func handle(operation: String, body: [UInt8], caller: Caller, requestId: String) async throws -> Response {
        let input = try JSONInput(body)
        let scope = LogScope(accountId: caller.accountId, region: caller.region)
        let result: [String: Any]
        switch operation {
        case "CreateLogGroup":
            let name = try groupName(input, key: "logGroupName")
            do { try await logs.createLogGroup(scope, name: name, createdAt: nowMillis()) } catch MetadataError.alreadyExists {
                throw AWSError("ResourceAlreadyExistsException", status: 400, "The specified log group already exists")
            }
            result = [:]
        case "DeleteLogGroup":
            let name = try groupName(input, key: "logGroupName")
            do { try await logs.deleteLogGroup(scope, name: name) } catch MetadataError.notFound { throw Self.noGroup }
            result = [:]
        case "CreateLogStream":
            let group = try groupName(input, key: "logGroupName")
            let name = try streamName(input)
            do { try await logs.createLogStream(scope, group: group, name: name, createdAt: nowMillis()) } catch MetadataError.alreadyExists {
                throw AWSError("ResourceAlreadyExistsException", status: 400, "The specified log stream already exists")
            } catch MetadataError.notFound { throw Self.noGroup }
            result = [:]
        case "PutLogEvents": result = try await putLogEvents(input, scope)
        case "DescribeLogGroups": result = try await describeLogGroups(input, scope, caller: caller)
        case "DescribeLogStreams": result = try await describeLogStreams(input, scope, caller: caller)
        case "GetLogEvents": result = try await getLogEvents(input, scope)
        case "FilterLogEvents": result = try await filterLogEvents(input, scope)
        default:
            throw AWSError("UnknownOperationException", status: 400, "Kiln does not implement Logs_20140328.\(operation)")
        }
        return ProtocolResponses.json(result, requestId: requestId)
    }

    /// AWS's limits: a PutLogEvents batch (messages plus 26 bytes per event) and a read response.
    static let maxBatchBytes = 1_048_576
    static let maxResponseBytes = 1_048_576

    /// Keeps the first (or, `fromEnd`, the last) events that fit the response size limit; always at least one.
    static func fitResponse(_ events: [LogEventRecord], fromEnd: Bool) -> [LogEventRecord] {
        var total = 0
        var kept = 0
        for e in (fromEnd ? Array(events.reversed()) : events) {
            total += e.message.utf8.count + 26
            if total > maxResponseBytes && kept > 0 { break }
            kept += 1
        }
        return fromEnd ? Array(events.suffix(kept)) : Array(events.prefix(kept))
    }

    static let noGroup = AWSError("ResourceNotFoundException", status: 400, "The specified log group does not exist.")
    static let noStream = AWSError("ResourceNotFoundException", status: 400, "The specified log stream does not exist.")

    func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    func invalid(_ message: String) -> AWSError { AWSError("InvalidParameterException", status: 400, message) }

    /// The group name from `logGroupName`, or the name inside `logGroupIdentifier` (an ARN or a name).
    func groupName(_ input: JSONInput, key: String, allowIdentifier: Bool = false) throws -> String {
        if allowIdentifier, let id = try input.string("logGroupIdentifier") {
            if id.hasPrefix("arn:"), let range = id.range(of: ":log-group:") {
                var name = String(id[range.upperBound...])
                if name.hasSuffix(":*") { name.removeLast(2) }
                return name
            }
            return id
        }
        let name = try input.requiredString(key)
        try checkLength(name, key, 1...512)
        return name
    }

    func streamName(_ input: JSONInput) throws -> String {
        let name = try input.requiredString("logStreamName")
        try checkLength(name, "logStreamName", 1...512)
        guard !name.contains(":") && !name.contains("*") else {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value '\(name)' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*")
        }
        return name
    }

    func checkLength(_ value: String, _ name: String, _ range: ClosedRange<Int>) throws {
        if value.count < range.lowerBound {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value '\(value)' at '\(name)' failed to satisfy constraint: Member must have length greater than or equal to \(range.lowerBound)")
        }
        if value.count > range.upperBound {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value '\(value)' at '\(name)' failed to satisfy constraint: Member must have length less than or equal to \(range.upperBound)")
        }
    }

    func limit(_ input: JSONInput, max: Int, defaultValue: Int) throws -> Int {
        guard let n = try input.int("limit") else { return defaultValue }
        guard n >= 1 && n <= Int64(max) else {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value '\(n)' at 'limit' failed to satisfy constraint: Member must have value \(n < 1 ? "greater than or equal to 1" : "less than or equal to \(max)")")
        }
        return Int(n)
    }

    func putLogEvents(_ input: JSONInput, _ scope: LogScope) async throws -> [String: Any] {
        let group = try groupName(input, key: "logGroupName")
        let stream = try streamName(input)
        guard let raw = try input.array("logEvents") else {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value null at 'logEvents' failed to satisfy constraint: Member must not be null")
        }
        guard (1...10_000).contains(raw.count) else {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value '\(raw.count)' at 'logEvents' failed to satisfy constraint: Member must have length \(raw.isEmpty ? "greater than or equal to 1" : "less than or equal to 10000")")
        }
        var events: [(timestamp: Int64, message: String)] = []
        for (i, item) in raw.enumerated() {
            guard let e = item as? [String: Any], let ts = (e["timestamp"] as? NSNumber)?.int64Value, let message = e["message"] as? String else {
                throw AWSError("ValidationException", status: 400, "1 validation error detected: Value null at 'logEvents.\(i + 1).member.timestamp' failed to satisfy constraint: Member must not be null")
            }
            events.append((ts, message))
        }
        let batchBytes = events.reduce(0) { $0 + $1.message.utf8.count + 26 }
        if batchBytes > Self.maxBatchBytes {
            throw invalid("Upload too large: \(batchBytes) bytes exceeds limit of \(Self.maxBatchBytes)")
        }
        for i in events.indices.dropFirst() where events[i].timestamp < events[i - 1].timestamp {
            throw invalid("Log events in a single PutLogEvents request must be in chronological order.")
        }
        guard try await logs.logGroup(scope, name: group) != nil else { throw Self.noGroup }
        do {
            try await logs.appendLogEvents(scope, group: group, stream: stream, events: events, ingestionTime: nowMillis())
        } catch MetadataError.notFound { throw Self.noStream }
        return ["nextSequenceToken": String(format: "%056d", nowMillis())]
    }

    func describeLogGroups(_ input: JSONInput, _ scope: LogScope, caller: Caller) async throws -> [String: Any] {
        let n = try limit(input, max: 50, defaultValue: 50)
        let after = try input.string("nextToken").map { try decodeToken($0) }
        let prefix = try input.string("logGroupNamePrefix")
        let groups = try await logs.logGroups(scope, prefix: prefix, after: after, limit: n + 1)
        let page = groups.prefix(n)
        var out: [String: Any] = ["logGroups": page.map { g -> [String: Any] in
            let arn = "arn:aws:logs:\(caller.region):\(caller.accountId):log-group:\(g.name)"
            var d: [String: Any] = ["logGroupName": g.name, "creationTime": g.createdAt, "metricFilterCount": 0, "arn": arn + ":*",
                                    "logGroupArn": arn, "storedBytes": g.storedBytes, "logGroupClass": "STANDARD"]
            if let r = g.retentionInDays { d["retentionInDays"] = r }
            return d
        }]
        if groups.count > n, let last = page.last { out["nextToken"] = encodeToken(last.name) }
        return out
    }

    func describeLogStreams(_ input: JSONInput, _ scope: LogScope, caller: Caller) async throws -> [String: Any] {
        let group = try groupName(input, key: "logGroupName", allowIdentifier: true)
        let n = try limit(input, max: 50, defaultValue: 50)
        let prefix = try input.string("logStreamNamePrefix")
        let orderBy = try input.string("orderBy") ?? "LogStreamName"
        guard orderBy == "LogStreamName" || orderBy == "LastEventTime" else {
            throw AWSError("ValidationException", status: 400, "1 validation error detected: Value '\(orderBy)' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]")
        }
        if orderBy == "LastEventTime" && prefix != nil {
            throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        }
        let descending = try input.bool("descending") ?? false
        guard try await logs.logGroup(scope, name: group) != nil else { throw Self.noGroup }
        var streams = try await logs.logStreams(scope, group: group, prefix: prefix)
        if orderBy == "LastEventTime" {
            streams.sort { ($0.lastEventTimestamp ?? 0, $0.name) < ($1.lastEventTimestamp ?? 0, $1.name) }
        }
        if descending { streams.reverse() }
        // The token names the last stream returned (by name, or by last event time and name), so streams created
        // between pages neither repeat nor vanish. A token past the end yields nothing and no new token.
        var offset = 0
        if let token = try input.string("nextToken") {
            let last = try decodeToken(token)
            let key = { (s: LogStreamRecord) -> String in orderBy == "LastEventTime" ? String(format: "%020lld/", s.lastEventTimestamp ?? 0) + s.name : s.name }
            offset = streams.firstIndex { descending ? key($0) < last : key($0) > last } ?? streams.count
        }
        let page = streams.dropFirst(offset).prefix(n)
        var out: [String: Any] = ["logStreams": page.map { s -> [String: Any] in
            var d: [String: Any] = ["logStreamName": s.name, "creationTime": s.createdAt, "storedBytes": s.storedBytes,
                                    "arn": "arn:aws:logs:\(caller.region):\(caller.accountId):log-group:\(group):log-stream:\(s.name)"]
            if let v = s.firstEventTimestamp { d["firstEventTimestamp"] = v }
            if let v = s.lastEventTimestamp { d["lastEventTimestamp"] = v }
            if let v = s.lastIngestionTime { d["lastIngestionTime"] = v; d["uploadSequenceToken"] = String(format: "%056d", v) }
            return d
        }]
        // Only hand out a token when more streams remain: the SageMaker SDK loops while one is present.
        if offset + page.count < streams.count, let last = page.last {
            let key = orderBy == "LastEventTime" ? String(format: "%020lld/", last.lastEventTimestamp ?? 0) + last.name : last.name
            out["nextToken"] = encodeToken(key)
        }
        return out
    }

    /// Tokens: `f/<position>` reads forward after a position, `b/<position>` backward before it; a position is the
    /// event's timestamp and arrival sequence, 19 digits each (AWS's tokens are opaque digit strings too).
    func getLogEvents(_ input: JSONInput, _ scope: LogScope) async throws -> [String: Any] {
        let group = try groupName(input, key: "logGroupName", allowIdentifier: true)
        let stream = try streamName(input)
        let n = try limit(input, max: 10_000, defaultValue: 10_000)
        let startTime = try input.int("startTime"), endTime = try input.int("endTime")
        let fromHead = try input.bool("startFromHead") ?? false
        guard try await logs.logStream(scope, group: group, name: stream) != nil else {
            if try await logs.logGroup(scope, name: group) == nil { throw Self.noGroup }
            throw Self.noStream
        }
        var events: [LogEventRecord]
        var forward = LogPosition(timestamp: -(Int64.max / 2), sequence: 0)
        var backward = forward
        if let token = try input.string("nextToken") {
            guard let position = Self.position(token) else { throw invalid("The specified nextToken is invalid.") }
            if token.hasPrefix("f/") {
                events = try await logs.logEvents(scope, group: group, stream: stream, after: position, before: nil,
                                                  startTime: startTime, endTime: endTime, limit: n, backward: false)
            } else {
                events = try await logs.logEvents(scope, group: group, stream: stream, after: nil, before: position,
                                                  startTime: startTime, endTime: endTime, limit: n, backward: true).reversed()
            }
            forward = position
            backward = position
        } else {
            events = try await logs.logEvents(scope, group: group, stream: stream, after: nil, before: nil,
                                              startTime: startTime, endTime: endTime, limit: n, backward: !fromHead)
            if !fromHead { events.reverse() }
        }
        let readingForward = (try input.string("nextToken")?.hasPrefix("f/")) ?? fromHead
        events = Self.fitResponse(events, fromEnd: !readingForward)
        // At the end of the stream the forward token is the one passed in, so pollers can keep asking with it.
        if let last = events.last { forward = LogPosition(timestamp: last.timestamp, sequence: last.sequence) }
        if let first = events.first { backward = LogPosition(timestamp: first.timestamp, sequence: first.sequence) }
        return [
            "events": events.map { ["timestamp": $0.timestamp, "message": $0.message, "ingestionTime": $0.ingestionTime] },
            "nextForwardToken": "f/" + Self.token(forward),
            "nextBackwardToken": "b/" + Self.token(backward),
        ]
    }

    static func token(_ p: LogPosition) -> String {
        // Shift timestamps so negative values still give fixed-width, ordered digits.
        String(format: "%019lld%019lld", p.timestamp &+ (Int64.max / 2), p.sequence)
    }

    static func position(_ token: String) -> LogPosition? {
        guard token.hasPrefix("f/") || token.hasPrefix("b/") else { return nil }
        let digits = Array(token.dropFirst(2))
        guard digits.count == 38, let t = Int64(String(digits[0..<19])), let s = Int64(String(digits[19...])) else { return nil }
        return LogPosition(timestamp: t &- (Int64.max / 2), sequence: s)
    }

    func filterLogEvents(_ input: JSONInput, _ scope: LogScope) async throws -> [String: Any] {
        let group = try groupName(input, key: "logGroupName", allowIdentifier: true)
        let n = try limit(input, max: 10_000, defaultValue: 10_000)
        let names = try input.array("logStreamNames")?.compactMap { $0 as? String }
        let prefix = try input.string("logStreamNamePrefix")
        if names != nil && prefix != nil { throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive") }
        let pattern = try FilterPattern(try input.string("filterPattern") ?? "")
        guard try await logs.logGroup(scope, name: group) != nil else { throw Self.noGroup }
        var cursor: (Int64, Int64)? = nil
        if let token = try input.string("nextToken") {
            let parts = try decodeToken(token).split(separator: ":")
            guard parts.count == 2, let t = Int64(parts[0]), let s = Int64(parts[1]) else { throw invalid("The specified nextToken is invalid.") }
            cursor = (t, s)
        }
        var matched: [LogEventRecord] = []
        var matchedBytes = 0
        var more = false
        // Scan in batches until the page is full; the cursor is the last event examined.
        scan: while true {
            let batch = try await logs.filterLogEvents(scope, group: group, streams: names, streamPrefix: prefix, startTime: try input.int("startTime"),
                                                       endTime: try input.int("endTime"), after: cursor, limit: 1000)
            for e in batch {
                let size = e.message.utf8.count + 26
                if matched.count == n || (matchedBytes + size > Self.maxResponseBytes && !matched.isEmpty) { more = true; break scan }
                cursor = (e.timestamp, e.sequence)
                if pattern.matches(e.message) {
                    matched.append(e)
                    matchedBytes += size
                }
            }
            if batch.count < 1000 { break }
        }
        var out: [String: Any] = [
            "events": matched.map { ["logStreamName": $0.streamName, "timestamp": $0.timestamp, "message": $0.message,
                                     "ingestionTime": $0.ingestionTime, "eventId": String(format: "%056lld", $0.sequence)] },
            "searchedLogStreams": [] as [Any],
        ]
        if more, let c = cursor { out["nextToken"] = encodeToken("\(c.0):\(c.1)") }
        return out
    }

    func encodeToken(_ s: String) -> String { Data(s.utf8).base64EncodedString() }

    func decodeToken(_ token: String) throws -> String {
        guard let d = Data(base64Encoded: token), let s = String(data: d, encoding: .utf8) else {
            throw invalid("The specified nextToken is invalid.")
        }
        return s
    }
}
