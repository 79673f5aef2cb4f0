import Logging
import SwiftProtobuf
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Publishes task events to containerd over ttrpc
/// (`containerd.services.events.ttrpc.v1.Events/Forward`), in the order they
/// were published. A failed send is retried up to five times with backoff,
/// reconnecting each time, so a briefly absent containerd loses nothing.
actor EventPublisher {
    private let address: String?
    private let namespace: String
    private let logger: Logger
    private var client: TTRPCClient?
    private var queue: [(topic: String, event: Google_Protobuf_Any)] = []
    private var draining = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(address: String?, namespace: String, logger: Logger) {
        self.address = address
        self.namespace = namespace
        self.logger = logger
    }

    /// Queues `event` under `topic` (`/tasks/exit`); its Any's type URL is the
    /// message's protobuf name (`containerd.events.TaskExit`).
    func publish(_ topic: String, _ event: some Message) {
        var any = Google_Protobuf_Any()
        any.typeURL = type(of: event).protoMessageName
        do {
            any.value = try event.serializedBytes()
        } catch {
            logger.error("cannot encode event", metadata: ["topic": "\(topic)", "error": "\(error)"])
            return
        }
        queue.append((topic, any))
        if !draining {
            draining = true
            Task(executorPreference: ShimLoop.ttrpc) { await self.drain() }
        }
    }

    /// Waits until every queued event was sent or given up on.
    func flush() async {
        guard draining || !queue.isEmpty else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func drain() async {
        while let (topic, event) = queue.first {
            var delay: Duration = .milliseconds(100)
            var sent = false
            for attempt in 1...5 {
                do {
                    try await send(topic, event)
                    sent = true
                    break
                } catch {
                    logger.warning("publishing failed", metadata: ["topic": "\(topic)", "attempt": "\(attempt)", "error": "\(error)"])
                    client?.close()
                    client = nil
                    await LoopWait.sleep(for: delay)
                    delay = delay * 2
                }
            }
            if !sent { logger.error("event dropped after 5 attempts", metadata: ["topic": "\(topic)"]) }
            queue.removeFirst()
        }
        draining = false
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func send(_ topic: String, _ event: Google_Protobuf_Any) async throws {
        guard let address, !address.isEmpty else { return }  // no containerd to tell (tests, delete action)
        if client == nil { client = try TTRPCClient(connectingTo: address, loop: ShimLoop.ttrpc) }
        guard let client else { return }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var request = PublishForwardRequest()
        request.envelope.timestamp = Google_Protobuf_Timestamp(seconds: Int64(time.tv_sec), nanos: Int32(time.tv_nsec))
        request.envelope.namespace = namespace
        request.envelope.topic = topic
        request.envelope.event = event
        _ = try await client.call(
            PublishEventsMethods.forward, request, metadata: ["containerd-namespace-ttrpc": namespace], timeout: .seconds(5))
    }
}
