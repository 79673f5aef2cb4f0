/// Why oci-run could not run the container; the exit status says which kind.
struct RunError: Error, CustomStringConvertible {
    /// A bad command line: exit 2.
    static func usage(_ message: String) -> RunError { RunError(message: message, exitStatus: 2) }
    /// The container could not be set up, run or cleaned up: exit 125, as
    /// container tools use for their own failures (the container's own
    /// exit statuses pass through untouched).
    static func failed(_ message: String) -> RunError { RunError(message: message, exitStatus: 125) }

    var message: String
    var exitStatus: Int32
    var description: String { message }
}
