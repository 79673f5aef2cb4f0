import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reading and writing OCI documents as files, through open(2)/read(2)/
/// write(2)/rename(2) with `O_CLOEXEC`.
public enum DocumentFile {
    /// Reads a whole file.
    public static func read(_ path: FilePath) throws(OCISpecError) -> [UInt8] {
        do {
            let fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec])
            return try fd.closeAfter {
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
                    if count == 0 { return bytes }
                    bytes += chunk[0..<count]
                }
            }
        } catch let errno as Errno {
            throw OCISpecError(kind: .io, message: "cannot read", file: path, errno: errno)
        } catch {
            throw OCISpecError(kind: .io, message: "cannot read: \(error)", file: path)
        }
    }

    /// Replaces a file atomically: writes a temporary file beside it, then
    /// renames it over the target, so a reader never sees half a document.
    public static func write(_ bytes: [UInt8], to path: FilePath, permissions: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead])
        throws(OCISpecError)
    {
        let temporary = FilePath(path.string + ".tmp-\(getpid())")
        do {
            let fd = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .truncate, .closeOnExec], permissions: permissions)
            try fd.closeAfter { _ = try fd.writeAll(bytes) }
        } catch let errno as Errno {
            throw OCISpecError(kind: .io, message: "cannot write", file: temporary, errno: errno)
        } catch {
            throw OCISpecError(kind: .io, message: "cannot write: \(error)", file: temporary)
        }
        if rename(temporary.string, path.string) != 0 {
            let errno = Errno(rawValue: Glibc.errno)
            _ = unlink(temporary.string)
            throw OCISpecError(kind: .io, message: "cannot replace", file: path, errno: errno)
        }
    }
}

extension Spec {
    /// Loads a `config.json`.
    public static func load(from path: FilePath) throws(OCISpecError) -> Spec {
        try decodeFile(Spec.self, path)
    }

    /// Writes this config atomically, indented as `runc spec` writes it.
    public func write(to path: FilePath, style: OCIJSON.Style = .pretty) throws(OCISpecError) {
        try DocumentFile.write(OCIJSON.encode(self, style: style), to: path)
    }
}

extension State {
    /// Loads a `state.json`.
    public static func load(from path: FilePath) throws(OCISpecError) -> State {
        try decodeFile(State.self, path)
    }
}

extension Features {
    /// Loads a `features.json`.
    public static func load(from path: FilePath) throws(OCISpecError) -> Features {
        try decodeFile(Features.self, path)
    }
}

private func decodeFile<T: Decodable>(_ type: T.Type, _ path: FilePath) throws(OCISpecError) -> T {
    let bytes = try DocumentFile.read(path)
    do {
        return try OCIJSON.decode(T.self, from: bytes)
    } catch {
        var located = error
        located.file = path
        throw located
    }
}
