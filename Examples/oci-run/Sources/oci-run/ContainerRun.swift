import Cgroups
import Reaper
import Runc

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One run of a bundle: set up, start, wait, tear down. Every step that
/// leaves something behind (the run directory and its mount, the runc
/// container, the cgroup, raw mode on the terminal) is undone by
/// ``tearDown()``, whatever step failed.
final class ContainerRun {
    let options: Options
    let id: String
    let reaper: Reaper
    let signals: SignalForwarder
    let runc: Runc
    private var directory: RunDirectory?
    private var created = false
    private var terminal: TerminalSession?
    private var cgroup: Cgroup?

    var cgroupPath: String { "/oci-run/\(id)" }

    init(options: Options, reaper: Reaper, signals: SignalForwarder) {
        self.options = options
        self.id = options.id ?? "oci-run-\(getpid())"
        self.reaper = reaper
        self.signals = signals
        self.runc = Runc(root: options.runcRoot, monitor: ReaperMonitor(reaper: reaper))
    }

    /// Runs the container to its end and returns its exit status (128 + the signal that killed it).
    func run() async throws(RunError) -> Int32 {
        let config = try BundleConfig.load(bundle: options.bundle)
        let directory = try RunDirectory.create(id: id)
        self.directory = directory
        try directory.mountRootfs(lower: config.rootfs)

        let wantsTerminal = config.wantsTerminal(options.terminal)
        let spec = config.rewritten(rootfs: directory.rootfs, cgroupPath: cgroupPath, command: options.command, terminal: wantsTerminal)
        do {
            try spec.write(to: .init(directory.config))
        } catch {
            throw RunError.failed("cannot write \(directory.config): \(error)")
        }

        var createOptions = CreateOptions(pidFile: directory.pidFile)
        if wantsTerminal {
            let terminal = try TerminalSession(directory: directory.path)
            self.terminal = terminal
            signals.attach(terminal: terminal)
            createOptions.consoleSocket = terminal.socket.path
        } else {
            // The container's stdio is ours: pipes, files or a terminal, as given.
            createOptions.io = RuncIO(stdin: 0, stdout: 1, stderr: 2)
        }

        // runc sends the pty master during create: be listening before it starts.
        let receiving = terminal.map { terminal in
            Task { () async -> RunError? in
                do throws(RunError) {
                    try await terminal.receiveMaster()
                    return nil
                } catch {
                    return error
                }
            }
        }
        do {
            try await runc.create(id, bundle: directory.path, options: createOptions)
            created = true
        } catch {
            throw RunError.failed(error.message.isEmpty ? "\(error)" : error.message)
        }
        if let receiving, let problem = await receiving.value { throw problem }
        let pid = try readPid(directory.pidFile)

        let limits = Limits(memory: options.memory, cpus: options.cpus, pids: options.pids)
        cgroup = try limits.apply(to: cgroupPath)
        try terminal?.attach()
        if let early = signals.earlySignal { return 128 + early }
        signals.forward(to: pid)

        do {
            try await runc.start(id)
        } catch {
            throw RunError.failed(error.message.isEmpty ? "\(error)" : error.message)
        }
        let exit: ProcessExit
        do {
            exit = try await reaper.wait(for: pid)
        } catch {
            throw RunError.failed("lost the container's process: \(error)")
        }
        await terminal?.finish()
        terminal = nil
        if options.printStats, let cgroup { printError(Limits.summary(of: cgroup)) }
        return exit.code
    }

    /// Undoes whatever was set up; safe to call after any failure, and more than once.
    func tearDown() async -> RunError? {
        var problem: RunError?
        if let terminal {
            await terminal.finish()
            self.terminal = nil
        }
        if created {
            do {
                try await runc.delete(id, force: true)
                created = false
            } catch {
                problem = RunError.failed("runc delete \(id): \(error.message)")
            }
        }
        if let cgroup {
            // runc removed it with the container; this catches a run that failed before.
            try? cgroup.delete(killingProcesses: true)
            self.cgroup = nil
        }
        // The shared parent goes too once no run is left in it (rmdir(2) refuses otherwise).
        if let hierarchy = try? CgroupHierarchy.current() {
            let mounts = Set(hierarchy.v1Mounts.values.map(\.description) + [hierarchy.unifiedMount?.description].compactMap { $0 })
            for mount in mounts { rmdir(mount + "/oci-run") }
        }
        if let directory {
            do {
                try directory.remove()
                self.directory = nil
            } catch {
                problem = problem ?? error
            }
        }
        // And the shared directories, when no other run uses them.
        if options.runcRoot == Options().runcRoot { rmdir(options.runcRoot) }
        rmdir(RunDirectory.parent)
        return problem
    }

    private func readPid(_ path: String) throws(RunError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RunError.failed("runc wrote no pid file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0, let pid = Int32(String(decoding: buffer[0..<count].filter { (48...57).contains($0) }, as: UTF8.self))
        else { throw RunError.failed("runc's pid file \(path) holds no pid") }
        return pid
    }
}

/// Writes a line to stderr.
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
