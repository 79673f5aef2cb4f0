import SystemPackage

/// The one error type of Console: the operation, the path or descriptor
/// concerned, and the errno.
public struct ConsoleError: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    /// The socket path, device name or other object concerned.
    public var path: String?
    public var errno: Errno?
    public var detail: String?

    public init(operation: String, path: String? = nil, errno: Errno? = nil, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    /// The failure of the call that just set errno.
    static func last(_ operation: String, path: String? = nil) -> ConsoleError {
        ConsoleError(operation: operation, path: path, errno: Errno(rawValue: currentErrno()))
    }

    public var description: String {
        var text = operation
        if let path { text += " \(path)" }
        text += " failed"
        if let detail { text += ": \(detail)" }
        if let errno { text += " (\(errno))" }
        return text
    }
}
