import SystemPackage

/// The one error type of Mount: the operation, the errno, and the source,
/// target and filesystem type concerned.
public struct MountError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers to branch on. New codes may
    /// be added: switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable number for the code, for logs and for switching on codes from a wire or a file.
        public let rawValue: Int
        public let description: String

        private init(_ rawValue: Int, _ description: String) {
            self.rawValue = rawValue
            self.description = description
        }

        /// A source, target or table that does not exist (ENOENT, ENOTDIR).
        public static let notFound = Code(1, "not found")
        /// The mount is in use (EBUSY).
        public static let busy = Code(2, "busy")
        /// Not allowed (EPERM, EACCES, EROFS).
        public static let permissionDenied = Code(3, "permission denied")
        /// The kernel refused the type, options or target (EINVAL, ENODEV), or
        /// nothing is mounted there.
        public static let invalid = Code(4, "invalid")
        /// A path resolved within a root would leave it.
        public static let outsideRoot = Code(5, "outside the root")
        /// Anything else: see ``errno`` and ``detail``.
        public static let failed = Code(6, "failed")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The call or step that failed (`mount`, `umount`, `parse options`…).
    public var operation: String
    /// The mount's source, when the operation had one.
    public var source: String?
    /// The mount point concerned.
    public var target: String?
    /// The filesystem type, when the operation had one.
    public var type: String?
    /// The errno the kernel or libmount returned, when there was one.
    public var errno: Errno?
    /// What libmount or the check said, beyond the errno.
    public var detail: String?

    /// Without `code`, it follows the errno (ENOENT: ``Code/notFound``,
    /// EBUSY: ``Code/busy``…), ``Code/failed`` without one.
    public init(
        code: Code? = nil, operation: String, source: String? = nil, target: String? = nil, type: String? = nil, errno: Errno? = nil,
        detail: String? = nil
    ) {
        self.code = code ?? MountError.code(for: errno)
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

    static func code(for errno: Errno?) -> Code {
        switch errno {
        case .noSuchFileOrDirectory?, .notDirectory?: return .notFound
        case .resourceBusy?: return .busy
        case .notPermitted?, .permissionDenied?, .readOnlyFileSystem?: return .permissionDenied
        case .invalidArgument?, .operationNotSupportedByDevice?: return .invalid
        default: return .failed
        }
    }
}
