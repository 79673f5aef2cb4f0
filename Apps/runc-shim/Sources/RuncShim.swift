// containerd-shim-runc-v1: the runtime v2 shim for io.containerd.runc.v1,
// built from this repository's libraries.
//
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID [-debug] start
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID -bundle PATH delete
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID [-debug]    (serve; fd 3)

import Reaper
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// glibc's mallopt(3) and M_ARENA_MAX (-8), which Swift's Glibc module does not export.
@_silgen_name("mallopt")
private func setMallocOption(_ parameter: Int32, _ value: Int32) -> Int32
private let mallocArenaMax: Int32 = -8

/// glibc's pipe2(2), which Swift's Glibc module does not export.
@_silgen_name("pipe2")
private func makePipe(_ ends: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

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
            // and OOM descriptors all run on the ttrpc loop thread; this
            // thread parks. Two threads in all.
            ServeAction.run(flags)
        case let other?:
            print("unknown action \(other)")
            exit(2)
        }
    }
}

/// Runs async work from synchronous code: on the ttrpc loop, with the
/// calling thread blocked on a pipe until the result is there.
enum BlockingWait {
    static func run(_ work: @escaping @Sendable () async -> Int32) -> Int32 {
        var ends: [Int32] = [-1, -1]
        // Close-on-exec: runc, started meanwhile, must not inherit it.
        guard makePipe(&ends, O_CLOEXEC) == 0 else { return 1 }
        let writer = ends[1]
        Task(executorPreference: EventLoop.shared) {
            var status = await work()
            _ = withUnsafeBytes(of: &status) { write(writer, $0.baseAddress, 4) }
        }
        var status: Int32 = 1
        while withUnsafeMutableBytes(of: &status, { read(ends[0], $0.baseAddress, 4) }) < 0, errno == EINTR {}
        return status
    }
}
