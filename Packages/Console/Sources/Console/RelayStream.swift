import Synchronization

/// How one relayed stream ended.
public struct RelayResult: Hashable, Sendable {
    /// Bytes written to the destination.
    public var bytesMoved: UInt64
    /// Bytes read but not written: a destination that failed, or a stop whose flush timed out.
    public var bytesDropped: UInt64
    /// The failure that ended the stream early, if any (EOF, and EIO from a
    /// pty whose slave side hung up, are normal ends).
    public var error: ConsoleError?
}

/// One source-to-destination stream of a ``ConsoleRelay``.
public final class RelayStream: Sendable {
    private struct State {
        var result: RelayResult?
        var waiters: [CheckedContinuation<RelayResult, Never>] = []
    }

    private let state = Mutex(State())
    let relay: ConsoleRelay
    let id: UInt64

    init(relay: ConsoleRelay, id: UInt64) {
        self.relay = relay
        self.id = id
    }

    /// Whether the stream has ended.
    public var isFinished: Bool { state.withLock { $0.result != nil } }

    /// Waits until the source reached its end and everything read was
    /// written (or the stream failed or was stopped).
    public func finished() async -> RelayResult {
        await withCheckedContinuation { continuation in
            let ready: RelayResult? = state.withLock { state in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Stops reading, writes out what was already read (waiting up to
    /// `flushTimeout` for the destination), then closes the relay's
    /// descriptors of this stream.
    public func stop(flushTimeout: Duration = .seconds(5)) {
        relay.stop(id, flushTimeout: flushTimeout)
    }

    func complete(_ result: RelayResult) {
        let waiters = state.withLock { state -> [CheckedContinuation<RelayResult, Never>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }
}
