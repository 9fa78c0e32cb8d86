import Foundation

/// Unpacks a `.tar.gz` (ustar, pax and GNU long names) into a folder, refusing entries that would land outside it.
/// Only regular files and folders are extracted; links and devices are skipped.
public enum TarGzExtractor {
    public static func extract(_ archive: String, into directory: URL) throws {
        let decoder = try GzipStreamDecoder()
        var parser = TarStreamParser(root: directory)
        guard let input = FileHandle(forReadingAtPath: archive) else { throw TarError("cannot read \(archive)") }
        defer { try? input.close(); parser.closeFile() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try chunk.withUnsafeBytes { raw in try decoder.feed(raw) { try parser.feed($0) } }
        }
        try decoder.finish()
        try parser.finish()
    }
}

/// A tar stream consumed block by block.
struct TarStreamParser {
    let root: URL
    var pending: [UInt8] = []
    var remaining = 0
    var padding = 0
    var output: FileHandle?
    var longName: String?
    var paxPath: String?
    var collecting: Character?
    var collected: [UInt8] = []
    var sawEnd = false

    init(root: URL) { self.root = root.standardizedFileURL }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws {
        var i = 0
        while i < bytes.count {
            if remaining > 0 {
                let n = min(remaining, bytes.count - i)
                let slice = UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)])
                if collecting != nil {
                    collected += slice
                } else if let output {
                    try output.write(contentsOf: Data(slice))
                }
                remaining -= n
                i += n
                if remaining == 0 { try endEntry() }
                continue
            }
            if padding > 0 {
                let n = min(padding, bytes.count - i)
                padding -= n
                i += n
                continue
            }
            let n = min(512 - pending.count, bytes.count - i)
            pending += bytes[i..<(i + n)]
            i += n
            if pending.count == 512 {
                let header = pending
                pending.removeAll(keepingCapacity: true)
                try startEntry(header)
            }
        }
    }

    mutating func startEntry(_ h: [UInt8]) throws {
        if h.allSatisfy({ $0 == 0 }) { sawEnd = true; return }
        func string(_ offset: Int, _ width: Int) -> String {
            let field = h[offset..<(offset + width)]
            return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
        }
        func octal(_ offset: Int, _ width: Int) -> Int {
            Int(string(offset, width).trimmingCharacters(in: .whitespaces), radix: 8) ?? 0
        }
        let sum = h.enumerated().reduce(0) { $0 + (($1.offset >= 148 && $1.offset < 156) ? 32 : Int($1.element)) }
        guard sum == octal(148, 8) else { throw TarError("the model archive is not a valid tar file (bad header checksum)") }
        let type = Character(UnicodeScalar(h[156] == 0 ? UInt8(ascii: "0") : h[156]))
        let size = octal(124, 12)
        var name = string(0, 100)
        let prefix = string(345, 155)
        if !prefix.isEmpty && string(257, 6).hasPrefix("ustar") { name = prefix + "/" + name }
        if let long = longName ?? paxPath { name = long }
        remaining = size
        padding = (512 - size % 512) % 512
        switch type {
        case "L", "x":
            collecting = type
            collected = []
            if size == 0 { try endEntry() }
            return
        case "g":
            collecting = "g"
            collected = []
            if size == 0 { try endEntry() }
            return
        default:
            longName = nil
            paxPath = nil
        }
        if type == "5" && name.split(separator: "/").allSatisfy({ $0 == "." }) { return }  // "./", the archive's own root
        guard let target = safeTarget(name) else { throw TarError("the model archive has an entry outside its folder: \(name)") }
        switch type {
        case "0", "7":
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: target.path, contents: nil)
            output = try FileHandle(forWritingTo: target)
            if size == 0 { try endEntry() }
        case "5":
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            if size == 0 { try endEntry() }
        default:
            // Links, devices, FIFOs: skipped (their bytes, if any, are consumed and dropped).
            output = nil
            if size == 0 { try endEntry() }
        }
    }

    mutating func endEntry() throws {
        if let kind = collecting {
            let text = String(decoding: collected, as: UTF8.self)
            if kind == "L" { longName = String(text.prefix { $0 != "\0" }) }
            if kind == "x" {
                // Records: "<len> key=value\n".
                for line in text.split(separator: "\n") {
                    if let space = line.firstIndex(of: " "), let eq = line.firstIndex(of: "="), line[line.index(after: space)..<eq] == "path" {
                        paxPath = String(line[line.index(after: eq)...])
                    }
                }
            }
            collecting = nil
            collected = []
            return
        }
        closeFile()
    }

    mutating func closeFile() {
        try? output?.close()
        output = nil
    }

    func safeTarget(_ name: String) -> URL? {
        let parts = name.split(separator: "/").filter { $0 != "." && !$0.isEmpty }
        guard !parts.isEmpty, !parts.contains("..") else { return nil }
        return root.appendingPathComponent(parts.joined(separator: "/"))
    }

    func finish() throws {
        guard remaining == 0, pending.isEmpty || pending.allSatisfy({ $0 == 0 }) else { throw TarError("the model archive is truncated") }
    }
}
