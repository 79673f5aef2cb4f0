/// Why ttrpc-call failed, with the exit status it ends with.
struct CallError: Error, CustomStringConvertible {
    /// What went wrong.
    enum Kind {
        /// A bad command line or request: exit 2.
        case usage
        /// The server answered with an error status: exit 1.
        case status
        /// The socket, the descriptor set or the reply could not be used: exit 1.
        case failed
    }

    var kind: Kind
    var message: String

    static func usage(_ message: String) -> CallError { CallError(kind: .usage, message: message) }
    static func failed(_ message: String) -> CallError { CallError(kind: .failed, message: message) }

    var exitStatus: Int32 { kind == .usage ? 2 : 1 }
    var description: String { message }
}
