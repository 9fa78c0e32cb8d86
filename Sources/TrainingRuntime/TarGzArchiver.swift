import Foundation

public struct TarError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Packs a folder's contents into a `.tar.gz` (POSIX ustar, with pax headers for long names), entries relative
/// to the folder with no leading directory — the layout SageMaker gives `model.tar.gz`.
public enum TarGzArchiver {
    public static func archive(directory: URL, to output: String) throws {
        let gz = try GzipFileWriter(path: output)
        let fm = FileManager.default
        let root = directory.standardizedFileURL.path
        var entries: [String] = []
        if let e = fm.enumerator(atPath: root) {
            while let rel = e.nextObject() as? String { entries.append(rel) }
        }
        for rel in entries.sorted() {
            let full = root + "/" + rel
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            let attrs = try fm.attributesOfItem(atPath: full)
            let mtime = Int((attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
            if isDir.boolValue {
                try gz.write(header(name: rel + "/", size: 0, mode: 0o755, mtime: mtime, type: "5"))
                continue
            }
            guard (attrs[.type] as? FileAttributeType) == .typeRegular else { continue }
            let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
            try gz.write(header(name: rel, size: size, mode: 0o644, mtime: mtime, type: "0"))
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: full))
            var written = 0
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try gz.write($0) }
                written += chunk.count
            }
            try handle.close()
            guard written == size else { throw TarError("\(rel) changed size while being archived") }
            try gz.write([UInt8](repeating: 0, count: (512 - size % 512) % 512))
        }
        try gz.write([UInt8](repeating: 0, count: 1024))
        try gz.finish()
    }

    /// One header block, preceded by a pax extended header when the name does not fit ustar's 100 bytes.
    static func header(name: String, size: Int, mode: Int, mtime: Int, type: Character) -> [UInt8] {
        var out: [UInt8] = []
        var storedName = name
        if name.utf8.count > 100 {
            var record = " path=\(name)\n"
            var length = record.utf8.count
            while "\(length)\(record)".utf8.count != length { length = "\(length)\(record)".utf8.count }
            record = "\(length)\(record)"
            let data = Array(record.utf8)
            out += block(name: "PaxHeader", size: data.count, mode: 0o644, mtime: mtime, type: "x")
            out += data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
            storedName = String(decoding: Array(name.utf8).suffix(99), as: UTF8.self)
        }
        return out + block(name: storedName, size: size, mode: mode, mtime: mtime, type: type)
    }

    static func block(name: String, size: Int, mode: Int, mtime: Int, type: Character) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, at offset: Int, width: Int) {
            for (i, b) in Array(s.utf8).prefix(width).enumerated() { h[offset + i] = b }
        }
        func octal(_ v: Int, at offset: Int, width: Int) { put(String(format: "%0\(width - 1)o", v), at: offset, width: width - 1) }
        put(name, at: 0, width: 100)
        octal(mode, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(mtime, at: 136, width: 12)
        put("        ", at: 148, width: 8)
        h[156] = UInt8(ascii: type.unicodeScalars.first!)
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        put("root", at: 265, width: 32)
        put("root", at: 297, width: 32)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum) + "\0 ", at: 148, width: 8)
        return h
    }
}
