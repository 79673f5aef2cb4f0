import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Describes a runtime binary that could not be executed the way Go's
/// os/exec does, because containerd's clients (and people) recognise that
/// text: `exec: "no-runc": executable file not found in $PATH` for a name
/// that no PATH directory holds as an executable, `fork/exec /opt/runc: no
/// such file or directory` for a path (or a found file whose interpreter is
/// missing).
enum RuntimeLookup {
    /// Whether a spawn failure with this errno means the program could not be executed.
    static func isNotFound(_ errno: Errno?) -> Bool {
        errno == .noSuchFileOrDirectory || errno == .permissionDenied
    }

    /// The os/exec wording for `binary`, which execve(2) refused with `errno`.
    static func message(binary: String, errno: Errno, environment: [String]?) -> String {
        let reason = errno == .permissionDenied ? "permission denied" : "no such file or directory"
        if binary.contains("/") { return "fork/exec \(binary): \(reason)" }
        guard let found = search(binary, path: searchPath(environment)) else {
            return "exec: \"\(binary)\": executable file not found in $PATH"
        }
        return "fork/exec \(found): \(reason)"
    }

    /// The path to execute for `binary`: itself when it names a path,
    /// else the first executable match in PATH found with access(2), so
    /// one execve(2) runs it instead of one per PATH directory. A name
    /// PATH does not hold is returned as is; executing it then fails with
    /// the errno ``message(binary:errno:environment:)`` words.
    static func resolve(_ binary: String, environment: [String]?) -> String {
        guard !binary.contains("/") else { return binary }
        return search(binary, path: searchPath(environment)) ?? binary
    }

    /// PATH from the environment runc gets (ours when it inherits).
    static func searchPath(_ environment: [String]?) -> String {
        if let environment {
            return environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? ""
        }
        return getenv("PATH").map { String(cString: $0) } ?? ""
    }

    /// The first `directory/name` in `path` that is no directory (stat(2))
    /// and that access(2) says is executable, as Go's exec.LookPath finds it.
    static func search(_ name: String, path: String) -> String? {
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            guard stat(candidate, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
