// Spawn-and-wait throughput of /bin/true (bench/run reaper):
//   reaper-bench plain N        posix_spawn + waitpid(pid), one at a time (no reaper started)
//   reaper-bench reaper N C     Reaper.run with C callers at once
// Prints `spawns_per_s X` and `us_per_spawn Y`.

import Reaper

#if canImport(Glibc)
    import Glibc
#endif

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

func report(_ count: Int, _ nanoseconds: UInt64) {
    let seconds = Double(nanoseconds) / 1e9
    print("spawns_per_s \(Double(count) / seconds)")
    print("us_per_spawn \(seconds * 1e6 / Double(count))")
}

@main
enum ReaperBench {
    static func main() async {
        let arguments = CommandLine.arguments
        let count = arguments.count > 2 ? Int(arguments[2]) ?? 2000 : 2000
        switch arguments.count > 1 ? arguments[1] : "" {
        case "plain":
            let start = now()
            for _ in 0..<count {
                var pid: pid_t = 0
                var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
                if posix_spawn(&pid, "/bin/true", nil, nil, &argv, environ) == 0 {
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                }
                free(argv[0])
            }
            report(count, now() - start)
        case "reaper":
            let concurrency = arguments.count > 3 ? Int(arguments[3]) ?? 1 : 1
            Reaper.blockSIGCHLD()
            do {
                let reaper = try Reaper.start()
                let start = now()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<concurrency {
                        group.addTask {
                            for _ in stride(from: worker, to: count, by: concurrency) {
                                _ = try await reaper.run(ReaperCommand("/bin/true", stdout: .null, stderr: .null))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                report(count, now() - start)
            } catch {
                print("reaper-bench: \(error)")
                exit(1)
            }
        default:
            print("usage: reaper-bench plain|reaper N [CONCURRENCY]")
            exit(2)
        }
    }
}
