import SystemPackage

/// Turns what a handler threw into the status the client receives, the way
/// Go's ttrpc maps errors: a ``TTRPCError`` keeps its code and message,
/// cancellation is Canceled, an `Errno` maps to the nearest code (ENOENT is
/// NotFound, EEXIST AlreadyExists, EPERM and EACCES PermissionDenied, EINVAL
/// InvalidArgument), anything else is Unknown with its description.
enum ErrorStatus {
    static func of(_ error: any Error) -> (code: TTRPCCode, message: String) {
        switch error {
        case let error as TTRPCError:
            return (error.code, error.message)
        case is CancellationError:
            return (.canceled, "context canceled")
        case let errno as Errno:
            switch errno {
            case .noSuchFileOrDirectory: return (.notFound, "\(errno)")
            case .fileExists: return (.alreadyExists, "\(errno)")
            case .notPermitted, .permissionDenied: return (.permissionDenied, "\(errno)")
            case .invalidArgument: return (.invalidArgument, "\(errno)")
            default: return (.unknown, "\(errno)")
            }
        default:
            return (.unknown, "\(error)")
        }
    }

    /// The protobuf bytes of a successful `Response` that come before its
    /// payload: an empty `status` (field 1) and the payload's tag and length
    /// (field 2), so the payload itself is sent without another copy.
    static func successPrefix(payloadCount: Int) -> [UInt8] {
        var prefix: [UInt8] = [0x0A, 0x00]
        guard payloadCount > 0 else { return prefix }
        prefix.append(0x12)
        var length = UInt64(payloadCount)
        while length >= 0x80 {
            prefix.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        prefix.append(UInt8(length))
        return prefix
    }

    /// A `Response` carrying only a status (errors; successes use ``successPrefix(payloadCount:)``).
    static func response(code: TTRPCCode, message: String) -> [UInt8] {
        var response = TTRPCResponse()
        response.status.code = code.rawValue
        response.status.message = message
        return (try? response.serializedBytes()) ?? []
    }
}
