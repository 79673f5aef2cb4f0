import SystemPackage

/// The one error type of Runc: which runc command failed, and why — runc's
/// own message (from its JSON log or stderr), its exit status, or the errno
/// of a failure to start it.
public struct RuncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The runc subcommand (`create`, `state`…).
    public var command: String
    /// The container concerned, when there is one.
    public var containerID: String?
    /// runc's exit status (128 plus a signal when it was killed); nil when it
    /// never ran.
    public var exitStatus: Int32?
    /// What runc said, or what went wrong around it.
    public var message: String
    /// The errno when runc could not be started or a file could not be used.
    public var errno: Errno?

    public init(command: String, containerID: String? = nil, exitStatus: Int32? = nil, message: String, errno: Errno? = nil) {
        self.command = command
        self.containerID = containerID
        self.exitStatus = exitStatus
        self.message = message
        self.errno = errno
    }

    /// Whether runc said the container does not exist.
    public var isNotFound: Bool {
        message.contains("does not exist") || message.contains("not found")
    }

    public var description: String {
        var text = "runc \(command)"
        if let containerID { text += " \(containerID)" }
        text += ": \(message)"
        if let exitStatus { text += " (exit status \(exitStatus))" }
        if let errno { text += " (\(errno))" }
        return text
    }
}
