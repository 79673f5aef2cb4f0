internal import LinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads and writes cgroup interface files: each value goes to the kernel in
/// a single write(2), as cgroupfs requires, and every descriptor is opened
/// O_CLOEXEC and closed before returning.
enum CgroupFile {
    static func exists(_ path: FilePath) -> Bool {
        access(path.string, F_OK) == 0
    }

    static func isDirectory(_ path: FilePath) -> Bool {
        var info = stat()
        return stat(path.string, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// open(2) with O_CLOEXEC; a failure names the path and the errno.
    static func open(_ path: FilePath, _ flags: Int32, operation: String, value: String? = nil) throws(CgroupError) -> FileDescriptor {
        let fd = path.withPlatformString { systemOpen($0, flags | O_CLOEXEC) }
        guard fd >= 0 else {
            let code = Errno(rawValue: errno)
            throw CgroupError(
                code == .noSuchFileOrDirectory ? .notFound : .system, operation: operation, path: path, value: value, errno: code)
        }
        return FileDescriptor(rawValue: fd)
    }

    /// The whole file as a string, read until read(2) returns 0 (a seq_file
    /// can return less than asked for before its end).
    static func read(_ path: FilePath) throws(CgroupError) -> String {
        guard let text = try readIfPresent(path) else {
            throw CgroupError(.notFound, operation: "read", path: path, errno: .noSuchFileOrDirectory)
        }
        return text
    }

    /// The whole file, or nil when it does not exist (one open(2), no
    /// separate existence check). With `directory`, a descriptor of the
    /// file's directory, it is opened with openat(2) and the kernel walks
    /// only the last component.
    static func readIfPresent(_ path: FilePath, directory: Int32? = nil) throws(CgroupError) -> String? {
        let fd: Int32
        if let directory, let name = path.lastComponent {
            fd = name.string.withCString { systemOpenAt(directory, $0, O_RDONLY | O_CLOEXEC) }
        } else {
            fd = path.withPlatformString { systemOpen($0, O_RDONLY | O_CLOEXEC) }
        }
        if fd < 0 {
            let code = Errno(rawValue: errno)
            if code == .noSuchFileOrDirectory { return nil }
            throw CgroupError(.system, operation: "read", path: path, errno: code)
        }
        defer { _ = systemClose(fd) }
        var result = ""
        var chunkSize = 8192
        while true {
            var failure: Errno?
            var done = false
            let chunk = String(unsafeUninitializedCapacity: chunkSize) { buffer in
                do throws(Errno) {
                    let count = try SystemCall.retrying("read") { systemRead(fd, buffer.baseAddress, buffer.count) }
                    done = count == 0
                    return count
                } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw CgroupError(.system, operation: "read", path: path, errno: failure) }
            if done { return result }
            result += chunk
            chunkSize = 65_536
        }
    }

    /// The first line, without its newline.
    static func readLine(_ path: FilePath) throws(CgroupError) -> String {
        let text = try read(path)
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingSpaces()
    }

    /// A file's text as one unsigned number, or `max` (read as `UInt64.max`,
    /// as containerd reports it).
    static func parseUInt64(_ text: String, path: FilePath) throws(CgroupError) -> UInt64 {
        let line = text.trimmingSpaces()
        if line == "max" { return .max }
        guard let value = UInt64(line) else {
            // v1 limits read back as a large signed value when unlimited; negative ones never appear.
            throw CgroupError(.malformed, operation: "parse", path: path, value: line, detail: "expected a number")
        }
        return value
    }

    /// Writes `value` with one write(2). A refusal names the file, the value and the errno.
    static func write(_ value: String, to path: FilePath) throws(CgroupError) {
        let fd = try open(path, O_WRONLY | O_TRUNC, operation: "write", value: value)
        defer { _ = systemClose(fd.rawValue) }
        var bytes = Array(value.utf8)
        let written: Int
        do {
            written = try SystemCall.retrying("write") {
                bytes.withUnsafeMutableBytes { systemWrite(fd.rawValue, $0.baseAddress, $0.count) }
            }
        } catch {
            let kind: CgroupError.Kind = error == .invalidArgument || error == .outOfRange ? .invalidValue : .system
            throw CgroupError(kind, operation: "write", path: path, value: value, errno: error, detail: "the kernel refused the value")
        }
        if written != bytes.count {
            throw CgroupError(.system, operation: "write", path: path, value: value, errno: .ioError, detail: "short write")
        }
    }

    /// Names of the subdirectories of `path`.
    static func subdirectories(of path: FilePath) -> [String] {
        guard let dir = opendir(path.string) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) || (entry.pointee.d_type == UInt8(DT_UNKNOWN) && isDirectory(path.appending(name))) {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// Names of the entries of `path` (files and directories).
    static func entries(of path: FilePath) -> [String] {
        guard let dir = opendir(path.string) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// mkdir -p, mode 0755.
    static func makeDirectories(_ path: FilePath) throws(CgroupError) {
        var current = FilePath(root: path.root)
        for component in path.components {
            current.append(component)
            if mkdir(current.string, 0o755) != 0 {
                let code = Errno(rawValue: errno)
                if code == .fileExists { continue }
                throw CgroupError(code == .noSuchFileOrDirectory ? .notFound : .system, operation: "create", path: current, errno: code)
            }
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" || first == "\n" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" || last == "\n" { view.removeLast() }
        return String(view)
    }
}

// The libc calls, outside `CgroupFile` whose `open`, `read` and `write` would shadow them.
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32) -> Int32 { open(path, flags) }
private func systemOpenAt(_ directory: Int32, _ path: UnsafePointer<CChar>, _ flags: Int32) -> Int32 { openat(directory, path, flags) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
