import SystemPackage

/// The status codes of google.rpc.Code, with gRPC's meanings, as ttrpc and
/// containerd use them.
public struct TTRPCCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = TTRPCCode(rawValue: 0)
    public static let canceled = TTRPCCode(rawValue: 1)
    public static let unknown = TTRPCCode(rawValue: 2)
    public static let invalidArgument = TTRPCCode(rawValue: 3)
    public static let deadlineExceeded = TTRPCCode(rawValue: 4)
    public static let notFound = TTRPCCode(rawValue: 5)
    public static let alreadyExists = TTRPCCode(rawValue: 6)
    public static let permissionDenied = TTRPCCode(rawValue: 7)
    public static let resourceExhausted = TTRPCCode(rawValue: 8)
    public static let failedPrecondition = TTRPCCode(rawValue: 9)
    public static let aborted = TTRPCCode(rawValue: 10)
    public static let outOfRange = TTRPCCode(rawValue: 11)
    public static let unimplemented = TTRPCCode(rawValue: 12)
    public static let `internal` = TTRPCCode(rawValue: 13)
    public static let unavailable = TTRPCCode(rawValue: 14)
    public static let dataLoss = TTRPCCode(rawValue: 15)
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
