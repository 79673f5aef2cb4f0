import SystemPackage

/// The one error type of Mount: the operation, the errno, and the source,
/// target and filesystem type concerned.
public struct MountError: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    public var source: String?
    public var target: String?
    public var type: String?
    public var errno: Errno?
    /// What libmount or the check said, beyond the errno.
    public var detail: String?

    public init(
        operation: String, source: String? = nil, target: String? = nil, type: String? = nil, errno: Errno? = nil,
        detail: String? = nil
    ) {
        self.operation = operation
        self.source = source
        self.target = target
        self.type = type
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        var text = operation
        if let type { text += " \(type)" }
        if let source, !source.isEmpty { text += " \(source)" }
        if let target { text += " on \(target)" }
        text += " failed"
        if let detail { text += ": \(detail)" }
        if let errno { text += " (\(errno))" }
        return text
    }
}
