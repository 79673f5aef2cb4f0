// containerd-shim-runc-v1: the runtime v2 shim for io.containerd.runc.v1,
// built from this repository's libraries.
//
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID [-debug] start
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID -bundle PATH delete
//   containerd-shim-runc-v1 -namespace NS -address ADDR -publish-binary BIN -id ID [-debug]    (serve; fd 3)

import Reaper

#if canImport(Glibc)
    import Glibc
#endif

@main
enum RuncShim {
    static let version = "0.1.0"

    static func main() async {
        // Before any thread exists: SIGCHLD for the Reaper's signalfd,
        // SIGTERM/SIGINT for the signal thread. Threads inherit the mask.
        Reaper.blockSIGCHLD()
        SignalWaiter.block()
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
        case "start"?: exit(StartAction.run(flags))
        case "delete"?: exit(await DeleteAction.run(flags))
        case nil: exit(await ServeAction.run(flags))
        case let other?:
            print("unknown action \(other)")
            exit(2)
        }
    }
}
