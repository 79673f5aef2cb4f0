import SystemPackage

/// The status codes of google.rpc.Code, with gRPC's meanings, as ttrpc and
/// containerd use them.
public struct TTRPCCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not an error.
    public static let ok = TTRPCCode(rawValue: 0)
    /// The call was canceled, usually by the caller.
    public static let canceled = TTRPCCode(rawValue: 1)
    /// An error of no other kind.
    public static let unknown = TTRPCCode(rawValue: 2)
    /// The request was malformed or its values are invalid.
    public static let invalidArgument = TTRPCCode(rawValue: 3)
    /// The deadline passed before the call completed.
    public static let deadlineExceeded = TTRPCCode(rawValue: 4)
    /// The object or method asked for does not exist.
    public static let notFound = TTRPCCode(rawValue: 5)
    /// The object to create already exists.
    public static let alreadyExists = TTRPCCode(rawValue: 6)
    /// The caller may not do this (a peer refused by the credential policy).
    public static let permissionDenied = TTRPCCode(rawValue: 7)
    /// A limit was reached (a message too large, too many streams).
    public static let resourceExhausted = TTRPCCode(rawValue: 8)
    /// The object is not in a state that allows the call.
    public static let failedPrecondition = TTRPCCode(rawValue: 9)
    /// The call was aborted by a conflict.
    public static let aborted = TTRPCCode(rawValue: 10)
    /// A value is outside its valid range.
    public static let outOfRange = TTRPCCode(rawValue: 11)
    /// The method is not implemented by the server.
    public static let unimplemented = TTRPCCode(rawValue: 12)
    /// The server broke an invariant of its own.
    public static let `internal` = TTRPCCode(rawValue: 13)
    /// The connection is closed or the server is shutting down; retrying may work.
    public static let unavailable = TTRPCCode(rawValue: 14)
    /// Data was lost or corrupted.
    public static let dataLoss = TTRPCCode(rawValue: 15)
    /// The caller's identity could not be established.
    public static let unauthenticated = TTRPCCode(rawValue: 16)

    private static let names = [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
        "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
        "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ]

    /// The name gRPC gives the code (`NotFound`).
    public var description: String {
        names(rawValue)
    }

    private func names(_ value: Int32) -> String {
        value >= 0 && Int(value) < Self.names.count ? Self.names[Int(value)] : "Code(\(value))"
    }
}

/// The one error type of TTRPC: a status code and message (what a peer
/// returned, or what went wrong locally), plus the errno and socket path when
/// a system call on a socket failed.
public struct TTRPCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The status code; transport failures use `unavailable`.
    public var code: TTRPCCode
    /// What went wrong.
    public var message: String
    /// The errno of a failed system call, when there was one.
    public var errno: Errno?
    /// The unix socket concerned, when known.
    public var socketPath: String?

    /// An error with `code` and `message`, the errno and socket path where one applies.
    public init(code: TTRPCCode, message: String, errno: Errno? = nil, socketPath: String? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.socketPath = socketPath
    }

    public var description: String {
        var text = "ttrpc: \(code): \(message)"
        if let socketPath { text += " (socket \(socketPath))" }
        if let errno { text += " (\(errno))" }
        return text
    }

    /// The connection closed before the call completed.
    public static func closed(_ detail: String = "connection closed") -> TTRPCError {
        TTRPCError(code: .unavailable, message: "ttrpc: closed: \(detail)")
    }

    static func system(_ what: String, _ errno: Errno, path: String? = nil) -> TTRPCError {
        TTRPCError(code: .unavailable, message: "\(what) failed", errno: errno, socketPath: path)
    }
}
