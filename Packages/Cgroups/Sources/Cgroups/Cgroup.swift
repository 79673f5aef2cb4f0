internal import LinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One control group: its directory in each v1 hierarchy it belongs to, and
/// its cgroup2 directory. In legacy mode only the v1 directories exist, in
/// unified mode only the cgroup2 one; in hybrid mode both, and controllers
/// that v1 does not mount (on this kind of host, hugetlb) are used through
/// cgroup2. A value type: it names directories, it holds no descriptor.
public struct Cgroup: Hashable, Sendable, CustomStringConvertible {
    /// The hierarchies the directories live in.
    public let hierarchy: CgroupHierarchy
    /// The cgroup's directory for each v1 controller (co-mounted controllers share one).
    public let v1Directories: [Controller: FilePath]
    /// The cgroup's cgroup2 directory.
    public let unifiedDirectory: FilePath?

    /// Legacy (v1), hybrid or unified (v2), from the hierarchy.
    public var mode: CgroupMode { hierarchy.mode }

    /// A cgroup at directories the caller chose; nothing is created or checked.
    /// Most callers use ``create(_:in:)`` or ``load(_:in:)`` instead.
    public init(hierarchy: CgroupHierarchy, v1Directories: [Controller: FilePath], unifiedDirectory: FilePath?) {
        self.hierarchy = hierarchy
        self.v1Directories = v1Directories
        self.unifiedDirectory = unifiedDirectory
    }

    public var description: String {
        if let unifiedDirectory, v1Directories.isEmpty { return unifiedDirectory.string }
        let v1 = v1Directories.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return unifiedDirectory.map { "\(v1),unified=\($0)" } ?? v1
    }

    /// Every distinct directory of this cgroup, v1 first.
    var allDirectories: [FilePath] {
        var seen: Set<FilePath> = []
        var result: [FilePath] = []
        for directory in v1Directories.sorted(by: { $0.key < $1.key }).map(\.value) + (unifiedDirectory.map { [$0] } ?? [])
        where seen.insert(directory).inserted {
            result.append(directory)
        }
        return result
    }

    // MARK: Creating and loading

    /// Creates the cgroup at `path` (relative to each hierarchy's root, such as
    /// `/containerd/web`) with mkdir(2) in every v1 hierarchy and in cgroup2.
    /// A new v1 cpuset gets its parent's `cpuset.cpus` and `cpuset.mems`
    /// (the kernel leaves them empty); on cgroup2 every available controller is
    /// enabled in the ancestors' `cgroup.subtree_control`. Existing
    /// directories are kept, so creating twice is loading.
    public static func create(_ path: String, in hierarchy: CgroupHierarchy? = nil) throws(CgroupError) -> Cgroup {
        let hierarchy = try hierarchy.orCurrent()
        let relative = try validated(path)
        var directories: [Controller: FilePath] = [:]
        for (controller, mount) in hierarchy.v1Mounts.sorted(by: { $0.key < $1.key }) {
            let directory = mount.appending(relative.components)
            try CgroupFile.makeDirectories(directory)
            directories[controller] = directory
        }
        var unified: FilePath?
        if hierarchy.mode != .legacy, let mount = hierarchy.unifiedMount {
            try enableControllers(hierarchy.unifiedControllers(), below: mount, along: relative)
            let directory = mount.appending(relative.components)
            try CgroupFile.makeDirectories(directory)
            unified = directory
        }
        if let cpuset = directories[.cpuset] { try inheritCpuset(cpuset, mount: hierarchy.v1Mounts[.cpuset] ?? cpuset) }
        return Cgroup(hierarchy: hierarchy, v1Directories: directories, unifiedDirectory: unified)
    }

    /// Loads the existing cgroup at `path`. Hierarchies where it does not
    /// exist are left out; it is an error if it exists in none.
    public static func load(_ path: String, in hierarchy: CgroupHierarchy? = nil) throws(CgroupError) -> Cgroup {
        let hierarchy = try hierarchy.orCurrent()
        let relative = try validated(path)
        var directories: [Controller: FilePath] = [:]
        for (controller, mount) in hierarchy.v1Mounts {
            let directory = mount.appending(relative.components)
            if CgroupFile.isDirectory(directory) { directories[controller] = directory }
        }
        var unified: FilePath?
        if hierarchy.mode != .legacy, let mount = hierarchy.unifiedMount {
            let directory = mount.appending(relative.components)
            if CgroupFile.isDirectory(directory) { unified = directory }
        }
        guard !directories.isEmpty || unified != nil else {
            throw CgroupError(.notFound, operation: "load", value: path, detail: "no such cgroup in any hierarchy")
        }
        return Cgroup(hierarchy: hierarchy, v1Directories: directories, unifiedDirectory: unified)
    }

    /// Loads the cgroup that process `pid` belongs to, from
    /// `/proc/PID/cgroup`. In v1 a process can be in a different cgroup in
    /// each hierarchy; each controller gets its own directory.
    public static func load(pid: pid_t, in hierarchy: CgroupHierarchy? = nil) throws(CgroupError) -> Cgroup {
        let hierarchy = try hierarchy.orCurrent()
        let file = FilePath("/proc/\(pid)/cgroup")
        let text: String
        do {
            text = try CgroupFile.read(file)
        } catch {
            throw CgroupError(.notFound, operation: "load", path: file, value: "\(pid)", errno: error.errno, detail: "no such process")
        }
        let membership = ProcessCgroups.parse(text)
        var directories: [Controller: FilePath] = [:]
        for (controller, path) in membership.v1 {
            guard let mount = hierarchy.v1Mounts[controller] else { continue }
            let root = hierarchy.v1MountRoots[controller] ?? "/"
            let inside = root != "/" && path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
            directories[controller] = mount.appending(FilePath(inside).components)
        }
        var unified: FilePath?
        if hierarchy.mode != .legacy, let mount = hierarchy.unifiedMount, let path = membership.unified {
            unified = mount.appending(FilePath(path).components)
        }
        return Cgroup(hierarchy: hierarchy, v1Directories: directories, unifiedDirectory: unified)
    }

    static func validated(_ path: String) throws(CgroupError) -> FilePath {
        let relative = FilePath(path)
        guard !path.isEmpty, !relative.components.contains(where: { $0.kind != .regular }) else {
            throw CgroupError(.invalidValue, operation: "resolve", value: path, detail: "a cgroup path may not contain '.' or '..'")
        }
        return FilePath(root: nil, relative.components)
    }

    /// Writes `+controller` into `cgroup.subtree_control` of the mount root
    /// and of each ancestor of the new cgroup, one controller at a time (one
    /// the kernel refuses does not stop the others; it shows up later as
    /// that controller's files missing).
    static func enableControllers(_ controllers: Set<Controller>, below mount: FilePath, along relative: FilePath) throws(CgroupError) {
        guard !controllers.isEmpty else { return }
        var directory = mount
        let components = Array(relative.components)
        for index in 0..<components.count {
            let control = directory.appending("cgroup.subtree_control")
            let enabled = (try? CgroupFile.read(control)) ?? ""
            for controller in controllers.sorted() where !enabled.split(separator: " ").contains(Substring(controller.rawValue)) {
                try? CgroupFile.write("+\(controller.rawValue)", to: control)
            }
            directory.append(components[index])
            if index < components.count - 1 { try CgroupFile.makeDirectories(directory) }
        }
    }

    /// Copies `cpuset.cpus` and `cpuset.mems` down from the nearest ancestor
    /// that has them, into every empty directory on the way.
    static func inheritCpuset(_ directory: FilePath, mount: FilePath) throws(CgroupError) {
        var chain: [FilePath] = []
        var current = directory
        while current != mount, current.components.count > mount.components.count {
            chain.append(current)
            current.removeLastComponent()
        }
        for file in ["cpuset.cpus", "cpuset.mems"] {
            var value = try CgroupFile.readLine(current.appending(file))
            for child in chain.reversed() {
                let path = child.appending(file)
                let own = try CgroupFile.readLine(path)
                if own.isEmpty { try CgroupFile.write(value, to: path) } else { value = own }
            }
        }
    }

    // MARK: Processes

    /// Moves process `pid` (all its threads) into this cgroup: writes it to
    /// `cgroup.procs` in every directory.
    public func addProcess(_ pid: pid_t) throws(CgroupError) {
        try add(pid, file: "cgroup.procs")
    }

    /// Moves one thread into this cgroup: `tasks` in v1, `cgroup.threads` in
    /// cgroup2 (which needs a threaded cgroup there).
    public func addThread(_ tid: pid_t) throws(CgroupError) {
        for directory in v1Directories.values.uniqued() {
            try CgroupFile.write("\(tid)", to: directory.appending("tasks"))
        }
        if let unifiedDirectory { try CgroupFile.write("\(tid)", to: unifiedDirectory.appending("cgroup.threads")) }
    }

    private func add(_ pid: pid_t, file: String) throws(CgroupError) {
        guard pid > 0 else { throw CgroupError(.invalidValue, operation: "add process", value: "\(pid)", detail: "not a process id") }
        for directory in allDirectories {
            do {
                try CgroupFile.write("\(pid)", to: directory.appending(file))
            } catch {
                if error.errno == .noSuchProcess {
                    throw CgroupError(.notFound, operation: "add process", path: directory, value: "\(pid)", errno: .noSuchProcess)
                }
                throw error
            }
        }
    }

    /// The processes in this cgroup (in any of its directories), from `cgroup.procs`, sorted.
    public func processes() throws(CgroupError) -> [pid_t] {
        try ids(in: "cgroup.procs")
    }

    /// The threads in this cgroup: `tasks` in v1, `cgroup.threads` in cgroup2.
    public func threads() throws(CgroupError) -> [pid_t] {
        var result: Set<pid_t> = []
        for directory in v1Directories.values.uniqued() {
            result.formUnion(try Self.readIDs(directory.appending("tasks")))
        }
        if let unifiedDirectory { result.formUnion(try Self.readIDs(unifiedDirectory.appending("cgroup.threads"))) }
        return result.sorted()
    }

    private func ids(in file: String) throws(CgroupError) -> [pid_t] {
        var result: Set<pid_t> = []
        for directory in allDirectories { result.formUnion(try Self.readIDs(directory.appending(file))) }
        return result.sorted()
    }

    static func readIDs(_ file: FilePath) throws(CgroupError) -> [pid_t] {
        try CgroupFile.read(file).split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Whether any process is in this cgroup or below it (cgroup2's
    /// `cgroup.events` `populated`; in v1, any `cgroup.procs` in the tree).
    public func isPopulated() throws(CgroupError) -> Bool {
        if let unifiedDirectory, CgroupFile.exists(unifiedDirectory.appending("cgroup.events")) {
            let events = try KeyedFile.flat(at: unifiedDirectory.appending("cgroup.events"))
            if events["populated"] == 1 { return true }
            if v1Directories.isEmpty { return false }
        }
        return try !treeProcesses().isEmpty
    }

    // MARK: Deleting

    /// Removes this cgroup and the cgroups below it (rmdir(2), deepest
    /// first) in every hierarchy. A cgroup with processes is refused with
    /// ``CgroupError/Kind/busy`` unless `killingProcesses` is set: then they
    /// are killed with SIGKILL (``kill(signal:timeout:)``) and awaited up to
    /// `timeout`. Already-removed directories are not an error.
    public func delete(killingProcesses: Bool = false, timeout: Duration = .seconds(5)) throws(CgroupError) {
        if try isPopulated() {
            guard killingProcesses else {
                let count = (try? processes().count) ?? 0
                throw CgroupError(.busy, operation: "delete", path: allDirectories.first, detail: "the cgroup has \(count) processes")
            }
            try kill(signal: SIGKILL, timeout: timeout)
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        for directory in allDirectories {
            try Self.removeTree(directory, until: deadline)
        }
    }

    static func removeTree(_ directory: FilePath, until deadline: ContinuousClock.Instant) throws(CgroupError) {
        for child in CgroupFile.subdirectories(of: directory) {
            try removeTree(directory.appending(child), until: deadline)
        }
        while rmdir(directory.string) != 0 {
            let code = Errno(rawValue: errno)
            if code == .noSuchFileOrDirectory { return }
            // A cgroup whose last process just exited stays busy for a moment.
            guard code == .resourceBusy, ContinuousClock.now < deadline else {
                throw CgroupError(code == .resourceBusy ? .busy : .system, operation: "delete", path: directory, errno: code)
            }
            CgroupClock.sleep(milliseconds: 5)
        }
    }
}

extension Sequence where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

enum CgroupClock {
    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        // An interrupted sleep goes on for what remained of it.
        _ = try? SystemCall.retrying("nanosleep") { () -> Int32 in
            let result = nanosleep(&request, &remaining)
            if result != 0 { request = remaining }
            return result
        }
    }
}

extension Optional where Wrapped == CgroupHierarchy {
    func orCurrent() throws(CgroupError) -> CgroupHierarchy {
        if let self { return self }
        return try CgroupHierarchy.current()
    }
}
