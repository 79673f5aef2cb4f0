// oci-run: run the container of an OCI bundle in the foreground, without
// containerd. See README.md.

import Reaper

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// Before any thread starts: SIGCHLD and the signals we pass on are blocked,
// so they wait on the Reaper's signalfd instead of killing us. The main
// thread then runs the Reaper's loop itself (keeping its signal mask), and
// the run goes on in a task.
Reaper.blockSIGCHLD()
Reaper.blockSignals(SignalForwarder.handled)
let signals = SignalForwarder()
do {
    try Reaper.runOnCurrentThread(subreaper: true, signals: SignalForwarder.handled, onSignal: { signals.received($0) }) { reaper in
        signals.attach(reaper: reaper)
        // Detached: not on the main actor, whose thread runs the loop.
        Task.detached { exit(await Program.main(reaper: reaper, signals: signals)) }
    }
} catch {
    printError("oci-run: the reaper stopped: \(error)")
    exit(125)
}
