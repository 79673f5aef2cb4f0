import Cgroups
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Every Cgroups test, one at a time: they create real cgroups on this
/// host's hierarchies (and one enables hugetlb in the cgroup2 root's
/// subtree_control, restoring it afterwards), and freeze or OOM tests
/// should not compete for the two CPUs.
@Suite(.serialized) struct CgroupsTests {}

/// A cgroup path unique to this test process, created on the real
/// hierarchies and removed (processes killed first) when the test ends.
final class CgroupSandbox: @unchecked Sendable {
    let path: String
    let hierarchy: CgroupHierarchy
    private var children: [BackgroundProcess] = []
    private let restoreUnifiedHugetlb: Bool

    init(_ name: String, hierarchy: CgroupHierarchy? = nil) throws {
        path = "/swift-cgroups-test-\(getpid())/\(name)"
        self.hierarchy = try hierarchy ?? CgroupHierarchy.current()
        if let mount = self.hierarchy.unifiedMount {
            let enabled = (try? String(contentsOfFile: mount.appending("cgroup.subtree_control").string, encoding: .utf8)) ?? ""
            restoreUnifiedHugetlb = !enabled.contains("hugetlb")
        } else {
            restoreUnifiedHugetlb = false
        }
    }

    /// A shell loop that keeps running until killed.
    func startSleeper() throws -> BackgroundProcess {
        let child = try BackgroundProcess(["/bin/sh", "-c", "while :; do sleep 1; done"])
        children.append(child)
        return child
    }

    /// A program that joins the cgroup's v1 memory directory itself, then execs.
    func start(_ arguments: [String]) throws -> BackgroundProcess {
        let child = try BackgroundProcess(arguments)
        children.append(child)
        return child
    }

    func close() {
        for child in children { child.stop() }
        let parent = "/swift-cgroups-test-\(getpid())"
        for candidate in [path, parent] {
            if let cgroup = try? Cgroup.load(candidate, in: hierarchy) { try? cgroup.delete(killingProcesses: true) }
            if let current = try? CgroupHierarchy.current(), let cgroup = try? Cgroup.load(candidate, in: current) {
                try? cgroup.delete(killingProcesses: true)
            }
        }
        if restoreUnifiedHugetlb, let mount = hierarchy.unifiedMount {
            try? "-hugetlb".write(toFile: mount.appending("cgroup.subtree_control").string, atomically: false, encoding: .utf8)
        }
        let left = Self.leftovers()
        if !left.isEmpty { Issue.record("cgroups left behind: \(left)") }
    }

    /// Whether any directory of this sandbox is left on any hierarchy.
    static func leftovers() -> [String] {
        guard let hierarchy = try? CgroupHierarchy.current() else { return [] }
        let mounts = Array(hierarchy.v1Mounts.values) + (hierarchy.unifiedMount.map { [$0] } ?? [])
        return mounts.map { $0.appending("swift-cgroups-test-\(getpid())").string }.filter { FileManager.default.fileExists(atPath: $0) }
    }
}

/// Polls `condition` for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
}
