import SystemPackage

/// The one error type of OCISpec: what went wrong, the file it concerns, the
/// errno of a failed system call, and for bad JSON the path of the offending
/// value in `a.b[2]` form.
public struct OCISpecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Hashable, Sendable {
        /// Reading or writing a file failed; ``errno`` says why.
        case io
        /// The input is not JSON, or a value has the wrong type.
        case invalidJSON
        /// A value could not be written as JSON.
        case encoding
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The file concerned, when there is one.
    public var file: FilePath?
    /// The errno of the failed system call, for ``Kind/io``.
    public var errno: Errno?
    /// Where in the document the problem is (`process.user.uid`), when known.
    public var jsonPath: String?
    /// A sentence saying what is wrong.
    public var message: String

    /// An error of `kind`, with the file, errno and JSON path concerned where known.
    public init(kind: Kind, message: String, file: FilePath? = nil, errno: Errno? = nil, jsonPath: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.errno = errno
        self.jsonPath = jsonPath
    }

    public var description: String {
        var text = ""
        if let file { text += "\(file): " }
        if let jsonPath, !jsonPath.isEmpty { text += "\(jsonPath): " }
        text += message
        if let errno { text += " (\(errno))" }
        return text
    }
}
