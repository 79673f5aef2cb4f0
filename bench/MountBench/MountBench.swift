// Mount benchmarks (bench/run mount):
//   mount-bench bind N DIR        N bind mounts + unmounts of DIR/source on DIR/target
//   mount-bench table N FILE      parses FILE (a mountinfo) N times
// Prints `per_s X` and `us_per_op Y`.

import Mount

#if canImport(Glibc)
    import Glibc
#endif

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let count = Int(arguments[2]) else {
    print("usage: mount-bench bind|table N PATH")
    exit(2)
}
do {
    let start: UInt64
    switch arguments[1] {
    case "bind":
        let source = arguments[3] + "/source"
        let target = arguments[3] + "/target"
        mkdir(source, 0o755)
        mkdir(target, 0o755)
        start = now()
        for _ in 0..<count {
            try Mounter.mount(FilesystemMount(type: "bind", source: source, target: target, options: ["bind"]))
            try Mounter.unmount(target)
        }
    case "table":
        start = now()
        for _ in 0..<count {
            let table = try MountTable.read(arguments[3])
            precondition(table.entries.count >= 1000)
        }
    default:
        print("usage: mount-bench bind|table N PATH")
        exit(2)
    }
    let seconds = Double(now() - start) / 1e9
    print("per_s \(Double(count) / seconds)")
    print("us_per_op \(seconds * 1e6 / Double(count))")
} catch {
    print("mount-bench: \(error)")
    exit(1)
}
