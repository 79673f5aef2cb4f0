import TTRPC

/// The errors the task service returns, with the gRPC codes containerd's
/// errdefs expects.
enum TTRPCFailure {
    static func notFound(_ message: String) -> TTRPCError { TTRPCError(code: .notFound, message: message) }
    static func alreadyExists(_ message: String) -> TTRPCError { TTRPCError(code: .alreadyExists, message: message) }
    static func failedPrecondition(_ message: String) -> TTRPCError { TTRPCError(code: .failedPrecondition, message: message) }
    static func invalidArgument(_ message: String) -> TTRPCError { TTRPCError(code: .invalidArgument, message: message) }
    static func unimplemented(_ message: String) -> TTRPCError { TTRPCError(code: .unimplemented, message: message) }
    static func `internal`(_ message: String) -> TTRPCError { TTRPCError(code: .internal, message: message) }
}
