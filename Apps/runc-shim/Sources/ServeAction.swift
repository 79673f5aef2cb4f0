import Logging
import Reaper
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Serving: the long-lived shim. A subreaper serving the task service on
/// the inherited fd 3, publishing events to containerd, logging to the `log`
/// FIFO, until Shutdown or SIGTERM/SIGINT.
enum ServeAction {
    static func run(_ flags: ShimFlags) async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let sink = LogSink(path: "log")
        let level: Logger.Level = flags.debug ? .debug : .info
        LoggingSystem.bootstrap { _ in FIFOLogHandler(sink: sink, level: level) }
        var logger = Logger(label: "containerd-shim-runc-v1")
        logger[metadataKey: "id"] = "\(flags.id)"
        logger[metadataKey: "namespace"] = "\(flags.namespace)"

        let reaper: Reaper
        do {
            reaper = try Reaper.start()
        } catch {
            logger.critical("cannot start the reaper", metadata: ["error": "\(error)"])
            return 1
        }
        let environment = ProcessEnvironment.value("TTRPC_ADDRESS")
        let eventsAddress = environment ?? (flags.address.isEmpty ? nil : flags.address + ".ttrpc")
        let events = EventPublisher(address: eventsAddress, namespace: flags.namespace, logger: logger)
        let (stop, stopContinuation) = AsyncStream.makeStream(of: String.self)
        let service = TaskService(namespace: flags.namespace, reaper: reaper, events: events, logger: logger) {
            stopContinuation.yield("shutdown requested")
        }
        let server = TTRPCServer(services: [service.service()], peers: .sameUser)
        do {
            try server.serve(listeningDescriptor: 3)
        } catch {
            logger.critical("cannot serve the inherited socket", metadata: ["error": "\(error)"])
            return 1
        }
        SignalWaiter.start { signal in stopContinuation.yield("signal \(signal)") }
        logger.info("serving", metadata: ["pid": "\(getpid())"])

        var reason = "end"
        for await why in stop {
            reason = why
            break
        }
        logger.info("shutting down", metadata: ["reason": "\(reason)"])
        await server.shutdown()
        await events.flush()
        if !flags.address.isEmpty {
            unlink(StartAction.socketPath(address: flags.address, namespace: flags.namespace, id: flags.id))
        }
        return 0
    }
}

/// Reads the environment without Foundation.
enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}

/// SIGTERM and SIGINT, taken with sigwait(2) on a thread of their own (they
/// are blocked everywhere else from the start of main).
enum SignalWaiter {
    static func block() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    private final class Box {
        let handler: @Sendable (Int32) -> Void
        init(_ handler: @escaping @Sendable (Int32) -> Void) { self.handler = handler }
    }

    static func start(_ handler: @escaping @Sendable (Int32) -> Void) {
        let context = Unmanaged.passRetained(Box(handler)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 64 * 1024)
        var thread = pthread_t()
        let created = pthread_create(
            &thread, &attributes,
            { context in
                guard let context else { return nil }
                let box = Unmanaged<Box>.fromOpaque(context).takeRetainedValue()
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, SIGTERM)
                sigaddset(&set, SIGINT)
                var received: Int32 = 0
                while sigwait(&set, &received) == 0 {
                    box.handler(received)
                }
                return nil
            }, context)
        pthread_attr_destroy(&attributes)
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Box>.fromOpaque(context).release()
        }
    }
}
