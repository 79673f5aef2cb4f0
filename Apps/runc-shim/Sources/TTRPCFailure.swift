import Runc
import TTRPC

/// The errors the task service returns, with the gRPC codes containerd's
/// errdefs expects. Errors the Go shim returns without an errdefs class
/// (runc failures, requests the process's state does not allow) travel as
/// Unknown; ours do too, so a client sees the same code from either shim.
enum TTRPCFailure {
    static func notFound(_ message: String) -> TTRPCError { TTRPCError(code: .notFound, message: message) }
    static func alreadyExists(_ message: String) -> TTRPCError { TTRPCError(code: .alreadyExists, message: message) }
    static func failedPrecondition(_ message: String) -> TTRPCError { TTRPCError(code: .failedPrecondition, message: message) }
    static func invalidArgument(_ message: String) -> TTRPCError { TTRPCError(code: .invalidArgument, message: message) }
    static func unimplemented(_ message: String) -> TTRPCError { TTRPCError(code: .unimplemented, message: message) }

    /// A request the process's state does not allow ("cannot pause a stopped container").
    static func invalidState(_ message: String) -> TTRPCError { TTRPCError(code: .unknown, message: message) }

    /// Any other failure (creating pipes, reading a pid file…).
    static func failed(_ message: String) -> TTRPCError { TTRPCError(code: .unknown, message: message) }

    /// runc (or the runtime named in the options) failed: "`what`: runc's
    /// own message", e.g. `OCI runtime create failed: exec: "no-runc":
    /// executable file not found in $PATH`.
    static func runtime(_ what: String, _ error: any Error) -> TTRPCError {
        if let error = error as? TTRPCError { return error }
        if let error = error as? RuncError { return failed("\(what): \(error.message)") }
        return failed("\(what): \(error)")
    }
}
