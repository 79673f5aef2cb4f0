/// What `runc --version` prints.
public struct RuncBinaryVersion: Sendable, Hashable {
    /// `1.1.5+ds1`.
    public var runc: String
    /// The commit line.
    public var commit: String
    /// The runtime-spec version runc implements.
    public var spec: String

    /// A version as given (for tests, or versions read elsewhere).
    public init(runc: String, commit: String, spec: String) {
        self.runc = runc
        self.commit = commit
        self.spec = spec
    }
}
