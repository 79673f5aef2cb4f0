import Foundation

/// Writes test files with plain system calls. Foundation's atomic write
/// leaves a `/tmp/TemporaryDirectory.*` behind per call, and its descriptors
/// are not known to be close-on-exec: a writer inherited by a child another
/// test forks at that moment would make exec'ing a script fail (ETXTBSY).
public enum TestFile {
    /// Creates or replaces `path` with `contents` (O_CLOEXEC), mode `mode`.
    public static func write(_ contents: String, to path: String, mode: mode_t = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += written
        }
        // The mode asked for, whatever the umask took away.
        _ = fchmod(fd, mode)
    }
}
