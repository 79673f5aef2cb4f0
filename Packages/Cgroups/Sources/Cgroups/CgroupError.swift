import SystemPackage

/// The one error type of Cgroups: what was being done, the cgroup file or
/// directory concerned, the value involved, and the errno the kernel gave.
public struct CgroupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of failure, for callers that branch on it.
    public enum Kind: String, Hashable, Sendable {
        /// The cgroup, file or pid does not exist.
        case notFound
        /// The controller is not mounted (v1) or not enabled (v2) here.
        case controllerUnavailable
        /// A value is out of range or malformed; nothing was written.
        case invalidValue
        /// The cgroup still has processes.
        case busy
        /// The kernel refused a read or write.
        case system
        /// A file's contents could not be parsed.
        case malformed
        /// The request has no kernel interface in this cgroup version.
        case unsupported
        /// A state change (freeze, kill, delete) did not finish in time.
        case timeout
    }

    /// What kind of failure this is, for callers to branch on.
    public var kind: Kind
    /// What was being done: "write", "read", "create", "freeze"…
    public var operation: String
    /// The file or directory concerned.
    public var path: FilePath?
    /// The value being written, or the input that was refused.
    public var value: String?
    /// The errno the system call set, when one did.
    public var errno: Errno?
    /// A sentence beyond the errno.
    public var detail: String?

    /// An error of `kind` during `operation`, with what is known of its cause.
    public init(
        _ kind: Kind, operation: String, path: FilePath? = nil, value: String? = nil, errno: Errno? = nil, detail: String? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.path = path
        self.value = value
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        var text = operation
        if let value { text += " \"\(value)\"" }
        if let path { text += (value == nil ? " " : " to ") + path.string }
        text += " failed"
        if let detail { text += ": \(detail)" }
        if let errno { text += " (\(errno))" }
        return text
    }
}
