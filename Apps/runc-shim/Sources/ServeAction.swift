import LinuxSupport
import Logging
import Reaper
import Synchronization
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Serving: the long-lived shim. A subreaper serving the task service on
/// the inherited fd 3, publishing events to containerd, logging to the `log`
/// FIFO, until Shutdown or SIGTERM/SIGINT.
enum ServeAction {
    /// Sets everything up on the shim's one reactor (``ShimLoop``), then
    /// runs it on this thread; the process ends through Shutdown or a signal.
    static func run(_ flags: ShimFlags) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let sink = LogSink(path: "log")
        let level: Logger.Level = flags.debug ? .debug : .info
        LoggingSystem.bootstrap { _ in FIFOLogHandler(sink: sink, level: level) }
        var logger = Logger(label: flags.flavor.binaryName)
        logger[metadataKey: "id"] = "\(flags.id)"
        logger[metadataKey: "namespace"] = "\(flags.namespace)"

        let stopper = Stopper()
        // The Reaper has no thread of its own: it shares the reactor, so a
        // runc exit resumes its caller on the thread that reaped it.
        do {
            let reaper = try Reaper.start(on: ShimLoop.reactor, signals: [SIGTERM, SIGINT], onSignal: { stopper.stop("signal \($0)") })
            serve(flags, reaper: reaper, stopper: stopper, logger: logger)
        } catch {
            logger.critical("cannot start the reaper", metadata: ["error": "\(error)"])
            exit(1)
        }
        // Everything runs here from now on (every signal this thread could
        // take is blocked and read from a signalfd). The loop ends only if
        // epoll itself fails.
        ShimLoop.reactor.run()
        logger.critical("the event loop failed", metadata: ["error": "\(ShimLoop.reactor.failedWith.map { "\($0)" } ?? "unknown")"])
        exit(1)
    }

    private static func serve(_ flags: ShimFlags, reaper: Reaper, stopper: Stopper, logger: Logger) {
        let eventsAddress = ProcessEnvironment.value("TTRPC_ADDRESS") ?? (flags.address.isEmpty ? nil : flags.address + ".ttrpc")
        let events = EventPublisher(address: eventsAddress, namespace: flags.namespace, logger: logger)
        let service = TaskService(namespace: flags.namespace, flavor: flags.flavor, reaper: reaper, events: events, logger: logger) {
            stopper.stop("shutdown requested")
        }
        let server = TTRPCServer(services: service.services(), peers: .sameUser, loop: ShimLoop.ttrpc)
        // The socket this shim serves, named by the group's key (runc.v2),
        // not necessarily this -id: removed when the shim ends.
        let socketPath = UnixAddress.boundPath(of: 3)
        do {
            try server.serve(listeningDescriptor: 3)
        } catch {
            logger.critical("cannot serve the inherited socket", metadata: ["error": "\(error)"])
            exit(1)
        }
        let finalLogger = logger
        stopper.onStop = { reason in
            finalLogger.info("shutting down", metadata: ["reason": "\(reason)"])
            await server.shutdown()
            await events.flush()
            if let socketPath { unlink(socketPath) }
            exit(0)
        }
        logger.info("serving", metadata: ["pid": "\(getpid())"])
    }
}

/// Ends the shim once: from Shutdown or a signal, whichever comes first.
final class Stopper: @unchecked Sendable {
    private let state = Mutex<(stopped: Bool, handler: (@Sendable (String) async -> Void)?)>((false, nil))

    var onStop: (@Sendable (String) async -> Void)? {
        get { state.withLock { $0.handler } }
        set { state.withLock { $0.handler = newValue } }
    }

    func stop(_ reason: String) {
        let handler = state.withLock { state -> (@Sendable (String) async -> Void)? in
            guard !state.stopped, let handler = state.handler else { return nil }
            state.stopped = true
            return handler
        }
        guard let handler else { return }
        Task(executorPreference: ShimLoop.ttrpc) { await handler(reason) }
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
