// Full statistics snapshots read by the Cgroups library; bench/run cgroups
// runs it beside the Go reference (bench/go/cgroups-bench) with the same
// arguments.
//
//   cgroups-bench setup PATH          create PATH on every hierarchy with a sleeping child in it; prints the pid
//   cgroups-bench teardown PATH       kill what is in it and remove it
//   cgroups-bench v1 PATH COUNT       time COUNT snapshots (µs each), hybrid: with cgroup2's hugetlb and PSI
//   cgroups-bench v1-legacy PATH COUNT the v1 hierarchies only (the files Go reads)
//   cgroups-bench v2 MOUNT PATH COUNT the same on a cgroup2 mount or a fake tree

import Cgroups
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@main
struct CgroupsBench {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            switch (arguments.first, arguments.count) {
            case ("setup", 2):
                let cgroup = try Cgroup.create(arguments[1])
                var child: pid_t = 0
                let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("3600"), nil]
                defer { argv.forEach { free($0) } }
                guard posix_spawn(&child, "/bin/sleep", nil, nil, argv, environ) == 0 else { fail("cannot start sleep") }
                try cgroup.addProcess(child)
                print(child)
            case ("teardown", 2):
                try Cgroup.load(arguments[1]).delete(killingProcesses: true)
            case ("v1", 3):
                let cgroup = try Cgroup.load(arguments[1])
                measure(count: Int(arguments[2]) ?? 1000) { () throws(CgroupError) in _ = try cgroup.stats() }
            case ("v1-legacy", 3):
                // The v1 hierarchies alone: the files containerd's v1 package reads, no cgroup2 part.
                let current = try CgroupHierarchy.current()
                let legacy = CgroupHierarchy(mode: .legacy, v1Mounts: current.v1Mounts, v1MountRoots: current.v1MountRoots)
                let cgroup = try Cgroup.load(arguments[1], in: legacy)
                measure(count: Int(arguments[2]) ?? 1000) { () throws(CgroupError) in _ = try cgroup.stats() }
            case ("v2", 4):
                let cgroup = try Cgroup.load(arguments[2], in: .unified(at: FilePath(arguments[1])))
                measure(count: Int(arguments[3]) ?? 1000) { () throws(CgroupError) in _ = try cgroup.stats() }
            default:
                fail("usage: cgroups-bench setup|teardown PATH | v1 PATH COUNT | v2 MOUNT PATH COUNT")
            }
        } catch {
            fail("\(error)")
        }
    }

    static func measure(count: Int, _ read: () throws(CgroupError) -> Void) {
        do {
            try read()
            let start = ContinuousClock.now
            for _ in 0..<count { try read() }
            let elapsed = ContinuousClock.now - start
            let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
            print("us_per_snapshot \((micros / Double(count) * 100).rounded() / 100)")
        } catch {
            fail("\(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        var stderr = message + "\n"
        stderr.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(1)
    }
}
