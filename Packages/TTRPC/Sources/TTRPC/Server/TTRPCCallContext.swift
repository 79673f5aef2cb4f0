/// What a handler knows about the call it serves.
public struct TTRPCCallContext: Sendable {
    /// The service name, `containerd.task.v2.Task`.
    public let service: String
    /// The method name, `Create`.
    public let method: String
    /// The request's metadata (keys lower case).
    public let metadata: TTRPCMetadata
    /// The deadline the client gave (`timeout_nano`), as a CLOCK_MONOTONIC
    /// instant in nanoseconds; nil when the call has none. When it passes,
    /// the handler's task is cancelled and the client gets DeadlineExceeded.
    public let deadlineNanoseconds: UInt64?
    /// The credentials of the peer process (SO_PEERCRED).
    public let peer: PeerCredentials?

    /// Time left before the deadline, if there is one.
    public var remaining: Duration? {
        guard let deadlineNanoseconds else { return nil }
        let now = TTRPCEventLoop.now()
        return .nanoseconds(Int64(deadlineNanoseconds > now ? deadlineNanoseconds - now : 0))
    }
}
