// containerd-shim-runc-v1: the runtime v2 shim for io.containerd.runc.v1,
// built from this repository's libraries.
//
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID [-debug] start
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID -bundle PATH delete
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID [-debug]    (serve; fd 3)

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

@main
enum RuncShim {
    static let version = "0.1.0"

    static func main() {
        // Before any thread exists: SIGCHLD for the Reaper's signalfd, and
        // SIGTERM/SIGINT for its second one. Threads inherit the mask.
        Reaper.blockSIGCHLD()
        Reaper.blockSignals([SIGTERM, SIGINT])
        // One malloc arena: the second thread would otherwise get its own,
        // dirtying pages in every one of thousands of shims.
        _ = setMallocOption(mallocArenaMax, 1)
        let flags: ShimFlags
        do {
            flags = try ShimFlags.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            print("\(error)")
            exit(2)
        }
        if flags.version {
            print("containerd-shim-runc-v1 (swift-container-primitives) \(version)")
            exit(0)
        }
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
