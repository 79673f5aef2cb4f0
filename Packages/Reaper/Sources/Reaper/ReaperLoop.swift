import CReaperLinux
internal import LinuxSupport
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The Reaper's side of a reactor (the package's epoll loop): a SIGCHLD
/// signalfd(2) and an eventfd(2) the SIGCHLD handler writes, both reaping;
/// optionally a signalfd for other signals; and, while someone waits for an
/// exit, a reap once a second in case a thread that does not block SIGCHLD
/// swallowed the signal. Pipes of running commands, queued work and timers
/// are the reactor's.
final class ReaperLoop: @unchecked Sendable {
    let reactor: Reactor
    private let childSignals: OwnedDescriptor
    private let handlerWake: OwnedDescriptor
    /// A signalfd for the other signals the owner asked for (none: an
    /// empty set, never readable and never watched).
    private let otherSignals: OwnedDescriptor
    private let reap: () -> Void
    private let sweepNeeded: () -> Bool
    private let sweepArmed = Atomic<Bool>(false)

    /// - Parameters:
    ///   - reactor: the loop to run on; its thread reaps.
    ///   - reap: reaps every exited child; run on each SIGCHLD.
    ///   - sweepNeeded: whether someone waits for an exit (see ``ensureSweep()``).
    ///   - signals: other signals to read from a signalfd and pass to
    ///     `onSignal` on the loop thread; they must be blocked in every thread.
    init(
        reactor: Reactor, signals: [Int32], onSignal: @escaping @Sendable (Int32) -> Void, reap: @escaping () -> Void,
        sweepNeeded: @escaping () -> Bool
    ) throws(ReaperError) {
        self.reactor = reactor
        self.reap = reap
        self.sweepNeeded = sweepNeeded
        do {
            childSignals = try SignalSet.descriptor(for: [SIGCHLD])
        } catch {
            throw ReaperError(operation: "signalfd(SIGCHLD)", errno: error)
        }
        do {
            handlerWake = try OwnedDescriptor.eventCounter()
        } catch {
            throw ReaperError(operation: "eventfd", errno: error)
        }
        do {
            otherSignals = try SignalSet.descriptor(for: signals)
        } catch {
            throw ReaperError(operation: "signalfd", errno: error)
        }
        // Belt and braces: SIGCHLD blocked everywhere reaches the signalfd;
        // one taken by a thread that does not block it runs this handler,
        // which wakes the loop through the eventfd. Either way we reap.
        if creaper_install_sigchld_handler(handlerWake.rawValue) != 0 {
            throw ReaperError(operation: "sigaction(SIGCHLD)", errno: Errno(rawValue: errno))
        }
        let signalFD = childSignals.rawValue
        let wakeFD = handlerWake.rawValue
        do {
            try reactor.watch(signalFD, .readable) { [unowned self] _ in
                _ = SignalSet.drain(childSignals)
                reap()
            }
            try reactor.watch(wakeFD, .readable) { [unowned self] _ in
                handlerWake.readCounter()
                reap()
            }
            if !signals.isEmpty {
                try reactor.watch(otherSignals.rawValue, .readable) { [unowned self] _ in
                    for signal in SignalSet.drain(otherSignals) { onSignal(signal) }
                }
            }
        } catch {
            reactor.unwatch(signalFD)
            reactor.unwatch(wakeFD)
            reactor.unwatch(otherSignals.rawValue)
            throw ReaperError(operation: "epoll_ctl(ADD signalfd)", errno: error)
        }
        // The loop's thread never takes SIGCHLD itself (it reads it from the
        // signalfd), and writes to a child's stdin happen there, so a closed
        // pipe must be EPIPE, not SIGPIPE. Then children that exited before
        // the signalfd existed are reaped.
        reactor.execute {
            SignalSet.block([SIGCHLD, SIGPIPE])
            reap()
        }
    }

    deinit {
        reactor.unwatch(childSignals.rawValue)
        reactor.unwatch(handlerWake.rawValue)
        reactor.unwatch(otherSignals.rawValue)
    }

    /// Runs `work` on the loop thread.
    func execute(_ work: @escaping @Sendable () -> Void) { reactor.execute(work) }

    /// Call whenever someone starts waiting for an exit: while anyone
    /// waits, the loop reaps once a second, so a SIGCHLD swallowed by a
    /// thread that does not block it delays an exit but never loses it.
    func ensureSweep() {
        guard sweepArmed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        reactor.schedule(afterNanoseconds: 1_000_000_000) { [weak self] in self?.sweep() }
    }

    private func sweep() {
        if sweepNeeded() { reap() }
        // Disarmed first, then checked again: a waiter added in between
        // either sees the flag down and re-arms, or is seen here.
        sweepArmed.store(false, ordering: .releasing)
        if sweepNeeded() { ensureSweep() }
    }
}
