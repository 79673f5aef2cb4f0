import SystemPackage

/// The one error type of Reaper: what failed, the errno, and the program or
/// path concerned.
public struct ReaperError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed.
    public var operation: String
    /// The errno, when a system call failed (ENOENT for a missing binary,
    /// EACCES for one that is not executable, EAGAIN for too many processes).
    public var errno: Errno?
    /// The program or file concerned.
    public var path: String?

    public init(operation: String, errno: Errno? = nil, path: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.path = path
    }

    public var description: String {
        var text = "reaper: \(operation) failed"
        if let path { text += " for \(path)" }
        if let errno {
            text += ": \(errno)"
            switch errno {
            case .noSuchFileOrDirectory: text += " (no such program, or its interpreter or working directory is missing)"
            case .permissionDenied: text += " (not executable, or a directory on the way is not searchable)"
            case .resourceTemporarilyUnavailable: text += " (too many processes for this user or system)"
            default: break
            }
        }
        return text
    }
}
