// The shim's entry point, shared by containerd-shim-runc-v1 and
// containerd-shim-runc-v2 (built from this repository's libraries):
//
//   SHIM -namespace NS -address ADDR -publish-binary BIN -id ID [-debug] start
//   SHIM -namespace NS -address ADDR -publish-binary BIN -id ID -bundle PATH delete
//   SHIM -namespace NS -address ADDR -publish-binary BIN -id ID [-debug]    (serve; fd 3)

import Reaper
import Synchronization
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// glibc's mallopt(3) and M_ARENA_MAX (-8), which Swift's Glibc module does not export.
@_silgen_name("mallopt")
private func setMallocOption(_ parameter: Int32, _ value: Int32) -> Int32
private let mallocArenaMax: Int32 = -8

/// What each shim binary's `main` runs.
package enum RuncShimMain {
    /// The release (the repository's VERSION file; `make dist` checks they agree).
    static let version = "0.6.0"

    /// Runs the action the command line names. The flavor is the one the
    /// name it runs as says (`…-runc-v1` or `…-runc-v2`, so one binary
    /// installed under both names serves both), else `flavor`.
    package static func run(_ defaultFlavor: ShimFlavor) -> Never {
        let flavor = ShimFlavor(programName: CommandLine.arguments.first ?? "") ?? defaultFlavor
        // Before any thread exists: SIGCHLD for the Reaper's signalfd, and
        // SIGTERM/SIGINT for its second one. Threads inherit the mask.
        Reaper.blockSIGCHLD()
        Reaper.blockSignals([SIGTERM, SIGINT])
        // One malloc arena: the second thread would otherwise get its own,
        // dirtying pages in every one of thousands of shims.
        _ = setMallocOption(mallocArenaMax, 1)
        let flags: ShimFlags
        do {
            var parsed = try ShimFlags.parse(Array(CommandLine.arguments.dropFirst()))
            parsed.flavor = flavor
            flags = parsed
        } catch {
            print("\(error)")
            exit(2)
        }
        if flags.version {
            print("\(flavor.binaryName) (swift-container-primitives) \(version)")
            exit(0)
        }
        // Before any other check, as containerd's shims do: no namespace needed.
        if flags.info { exit(BlockingWait.run { await InfoAction.run(flags) }) }
        switch flags.action {
        case "start"?:
            exit(StartAction.run(flags))
        case "delete"?:
            if let status = DeleteAction.runIfNothingLeft(flags) { exit(status) }
            exit(BlockingWait.run { await DeleteAction.run(flags) })
        case nil:
            // ttrpc, the Reaper (children, SIGTERM and SIGINT), the relay's
            // and OOM descriptors all run on one reactor, on this thread.
            // One thread in all.
            ServeAction.run(flags)
        case let other?:
            print("unknown action \(other)")
            exit(2)
        }
    }
}

/// Runs async work from synchronous code: on the shim's reactor, run by
/// the calling thread until the work is done (no thread of its own).
enum BlockingWait {
    static func run(_ work: @escaping @Sendable () async -> Int32) -> Int32 {
        let status = Atomic<Int32>(1)
        Task(executorPreference: ShimLoop.ttrpc) {
            status.store(await work(), ordering: .relaxed)
            ShimLoop.reactor.stop()
        }
        ShimLoop.reactor.run()
        return status.load(ordering: .relaxed)
    }
}
