import SystemPackage

/// The one error type of Console: the operation, the path or descriptor
/// concerned, and the errno.
public struct ConsoleError: Error, Hashable, Sendable, CustomStringConvertible {
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

        /// Nothing arrived within the timeout (ETIMEDOUT).
        public static let timedOut = Code(1, "timed out")
        /// The console socket's peer sent something other than one pty
        /// master: no descriptor, several, a truncated message.
        public static let badMessage = Code(2, "bad console message")
        /// The descriptor is not a terminal (ENOTTY, or a received non-tty).
        public static let notATerminal = Code(3, "not a terminal")
        /// The relay was shut down.
        public static let shutDown = Code(4, "shut down")
        /// An argument out of range (EINVAL, ENAMETOOLONG).
        public static let invalidArgument = Code(5, "invalid argument")
        /// Another system call failed; see ``errno``.
        public static let systemCall = Code(6, "system call failed")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The call or step that failed (`open`, `tcsetattr`, `recvmsg`…).
    public var operation: String
    /// The socket path, device name or other object concerned.
    public var path: String?
    /// The errno the system call set, when one did.
    public var errno: Errno?
    /// What went wrong beyond the errno, when there is more to say.
    public var detail: String?

    /// Without `code`, it follows the errno (ETIMEDOUT: ``Code/timedOut``…),
    /// ``Code/systemCall`` otherwise.
    public init(code: Code? = nil, operation: String, path: String? = nil, errno: Errno? = nil, detail: String? = nil) {
        switch (code, errno) {
        case (let code?, _): self.code = code
        case (nil, .timedOut?): self.code = .timedOut
        case (nil, .inappropriateIOCTLForDevice?): self.code = .notATerminal
        case (nil, .invalidArgument?), (nil, .fileNameTooLong?): self.code = .invalidArgument
        default: self.code = .systemCall
        }
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
