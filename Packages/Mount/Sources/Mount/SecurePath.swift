import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Resolves a path inside a root directory the way the kernel would if the
/// root were `/`: symlinks are followed but can never lead outside it (an
/// absolute link restarts at the root, `..` stops at the root). Used to turn
/// a container path into a host path for mounting.
public enum SecurePath {
    /// The host path of `path` (container-absolute or relative) inside
    /// `root`. Components that do not exist yet are kept as they are.
    ///
    /// Throws when `path` itself climbs above the root with `..` (a target
    /// outside the root is a mistake, not something to clamp silently), or
    /// on a symlink loop.
    public static func resolve(_ path: String, within root: String) throws(MountError) -> String {
        let rootPath = "/" + root.split(separator: "/").joined(separator: "/")
        var depth = 0
        for component in path.split(separator: "/") {
            if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
            if depth < 0 {
                throw MountError(
                    code: .outsideRoot, operation: "resolve", target: path, detail: "the path leads outside the root \(rootPath)")
            }
        }
        var resolved: [String] = []
        var pending = path.split(separator: "/").map(String.init).reversed() as [String]
        var links = 0
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = rootPath + "/" + (resolved + [component]).joined(separator: "/")
            var info = stat()
            guard lstat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else {
                resolved.append(component)
                continue
            }
            links += 1
            guard links <= 255 else {
                throw MountError(
                    operation: "resolve", target: path, errno: .tooManySymbolicLinkLevels, detail: "symlink loop inside \(rootPath)")
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
            let count = readlink(candidate, &buffer, buffer.count)
            guard count >= 0 else { throw MountError(operation: "readlink", target: candidate, errno: Errno(rawValue: errno)) }
            let link = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if link.hasPrefix("/") { resolved = [] }
            pending += link.split(separator: "/").map(String.init).reversed()
        }
        return resolved.isEmpty ? rootPath : rootPath + "/" + resolved.joined(separator: "/")
    }
}
