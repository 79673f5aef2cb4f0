#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Which peers may talk to a server, checked with SO_PEERCRED when a
/// connection is accepted; a refused peer's connection is closed at once.
public struct PeerCredentialPolicy: Sendable {
    let allows: @Sendable (PeerCredentials) -> Bool
    /// What the policy accepts, for log messages.
    public let summary: String

    /// A policy described by `summary` (in errors and logs) that admits the peers `allows` returns true for.
    public init(summary: String, allows: @escaping @Sendable (PeerCredentials) -> Bool) {
        self.summary = summary
        self.allows = allows
    }

    /// Any peer (the socket file's permissions are the only guard).
    public static let anyone = PeerCredentialPolicy(summary: "any peer") { _ in true }

    /// Peers running as this process's effective uid and gid.
    public static var sameUser: PeerCredentialPolicy {
        requiring(uid: geteuid(), gid: getegid())
    }

    /// Peers running as root (uid 0, gid 0).
    public static let rootOnly = requiring(uid: 0, gid: 0)

    /// Peers with the given uid and gid; nil means any.
    public static func requiring(uid: UInt32?, gid: UInt32?) -> PeerCredentialPolicy {
        PeerCredentialPolicy(summary: "uid \(uid.map(String.init) ?? "any") gid \(gid.map(String.init) ?? "any")") { peer in
            (uid == nil || peer.uid == uid) && (gid == nil || peer.gid == gid)
        }
    }
}
