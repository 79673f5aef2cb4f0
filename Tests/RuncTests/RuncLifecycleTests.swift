import Foundation
import OCISpec
import Runc
import TestSupport
import Testing

/// The full lifecycle of a real container through real runc (DirectMonitor:
/// no reaper in the test process; the Reaper-backed path runs in
/// reaper-scenarios).
@Suite(.serialized) struct RuncLifecycleTests {
    @Test func fullLifecycle() async throws {
        let box = try RuncBundle(name: "life")
        let runc = box.runc
        let id = box.id
        do {
            let pidFile = box.directory.file("init.pid")
            try await runc.create(id, bundle: box.bundle, options: CreateOptions(pidFile: pidFile))
            #expect(try await runc.state(id).status == "created")
            let initPid = Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(initPid != nil)
            #expect(try await runc.state(id).pid == initPid)

            try await runc.start(id)
            #expect(try await runc.state(id).status == "running")

            let echo = try await runc.execCapturing(
                id, process: ProcessSpec(args: ["echo", "hello from exec"], env: ["PATH=/bin"], cwd: "/"))
            #expect(echo.status == 0)
            #expect(String(decoding: echo.stdout, as: UTF8.self) == "hello from exec\n")
            let failing = try await runc.execCapturing(
                id, process: ProcessSpec(args: ["sh", "-c", "exit 7"], env: ["PATH=/bin"], cwd: "/"))
            #expect(failing.status == 7)

            let execPidFile = box.directory.file("exec.pid")
            try await runc.exec(
                id, process: ProcessSpec(args: ["sleep", "1000"], env: ["PATH=/bin"], cwd: "/"),
                options: ExecOptions(pidFile: execPidFile, detach: true))
            let execPid = Int32(try String(contentsOfFile: execPidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            let pids = try await runc.ps(id)
            #expect(pids.contains(initPid ?? -1) && pids.contains(execPid ?? -1), "ps: \(pids)")

            try await runc.pause(id)
            #expect(try await runc.state(id).status == "paused")
            try await runc.resume(id)
            #expect(try await runc.state(id).status == "running")

            try await runc.update(id, resources: LinuxResources(memory: LinuxMemory(limit: 64 << 20)))
            let limit = try String(contentsOfFile: "/sys/fs/cgroup/memory\(box.cgroupsPath)/memory.limit_in_bytes", encoding: .utf8)
            #expect(limit.trimmingCharacters(in: .whitespacesAndNewlines) == String(64 << 20))

            let stats = try await runc.stats(id)
            #expect(stats.memory.usage.usage > 0)
            #expect(stats.memory.usage.limit == 64 << 20)
            #expect(stats.pidsCurrent >= 2)

            #expect(try await runc.list().contains { $0.id == id })

            try await runc.kill(id, signal: SIGKILL, all: true)
            #expect(try await box.waitForStatus("stopped") == "stopped")
            try await runc.delete(id)
            #expect(try await !runc.list().contains { $0.id == id })
            #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory\(box.cgroupsPath)"))
        } catch {
            await box.cleanUp()
            throw error
        }
        await box.cleanUp()
    }

    @Test func foregroundRunReturnsTheExitStatus() async throws {
        let box = try RuncBundle(name: "run", args: ["sh", "-c", "exit 3"])
        let status = try await box.runc.run(box.id, bundle: box.bundle)
        #expect(status == 3)
        await box.cleanUp()
    }

    @Test func errorsCarryRuncsMessage() async throws {
        let box = try RuncBundle(name: "errors")
        await #expect {
            _ = try await box.runc.state("no-such-container-\(getpid())")
        } throws: { error in
            guard let error = error as? RuncError else { return false }
            return error.isNotFound && error.message.contains("container does not exist") && error.command == "state"
        }
        await #expect {
            try await box.runc.create(box.id + "-bad", bundle: box.directory.file("no-such-bundle"))
        } throws: { error in
            guard let error = error as? RuncError else { return false }
            return error.message.contains("no-such-bundle") || error.message.contains("config.json")
        }
        let missing = Runc(binary: "/nonexistent/runc", root: box.directory.file("runc-root"))
        await #expect {
            _ = try await missing.list()
        } throws: { error in
            (error as? RuncError)?.errno == .noSuchFileOrDirectory
        }
        await box.cleanUp()
    }

    /// A runtime that cannot be executed is ``RuncError/Code/runtimeNotFound``,
    /// worded as Go's os/exec words it (containerd's clients look for that text).
    @Test func missingRuntimeIsNamedAsGoNamesIt() async throws {
        let directory = try TemporaryDirectory(prefix: "runc-missing")
        defer { directory.remove() }
        let root = directory.file("root")
        let onPath = Runc(binary: "no-such-runc-\(getpid())", root: root)
        await #expect {
            try await onPath.delete("x", force: true)
        } throws: { error in
            guard let error = error as? RuncError else { return false }
            return error.code == .runtimeNotFound && error.command == "delete" && error.containerID == "x"
                && error.message == "exec: \"no-such-runc-\(getpid())\": executable file not found in $PATH"
        }
        let byPath = Runc(binary: "/nonexistent/runc", root: root)
        await #expect {
            _ = try await byPath.version()
        } throws: { error in
            guard let error = error as? RuncError else { return false }
            return error.code == .runtimeNotFound && error.message == "fork/exec /nonexistent/runc: no such file or directory"
        }
        // Found on PATH but not executable by the kernel (a script whose interpreter is missing).
        try directory.write("fake-runc", "#!/nonexistent/interpreter\n")
        chmod(directory.file("fake-runc"), 0o755)
        let badInterpreter = Runc(binary: "fake-runc", root: root, environment: ["PATH=\(directory.path)"])
        await #expect {
            _ = try await badInterpreter.version()
        } throws: { error in
            guard let error = error as? RuncError else { return false }
            return error.code == .runtimeNotFound && error.message == "fork/exec \(directory.file("fake-runc")): no such file or directory"
        }
        // runc ran and failed: the code says so.
        await #expect {
            _ = try await Runc(root: root).state("no-such-container-\(getpid())")
        } throws: { error in
            (error as? RuncError)?.code == .containerNotFound
        }
    }

    /// A name is looked up in PATH as Go's exec.LookPath does: a directory
    /// or a file without execute permission of that name is passed over,
    /// and the executable found later is the one that runs.
    @Test func runtimeNameIsLookedUpInPath() async throws {
        let directory = try TemporaryDirectory(prefix: "runc-path")
        defer { directory.remove() }
        for name in ["first", "second", "third"] { mkdir(directory.file(name), 0o755) }
        mkdir(directory.file("first/fake-runc"), 0o755)
        try directory.write("second/fake-runc", "#!/bin/sh\necho not executable\n")
        chmod(directory.file("second/fake-runc"), 0o644)
        try directory.write("third/fake-runc", "#!/bin/sh\nprintf 'runc version 9.8.7\\ncommit: path-test\\nspec: 1.0.2\\n'\n")
        chmod(directory.file("third/fake-runc"), 0o755)
        let path = ["first", "second", "third"].map { directory.file($0) }.joined(separator: ":")
        let version = try await Runc(binary: "fake-runc", environment: ["PATH=\(path)"]).version()
        #expect(version.runc == "9.8.7" && version.commit == "path-test" && version.spec == "1.0.2")
    }

    @Test func versionAndFeatures() async throws {
        let runc = Runc()
        let version = try await runc.version()
        #expect(version.runc.hasPrefix("1."))
        #expect(!version.spec.isEmpty)
        let features = try await runc.features()
        #expect(features.linux?.namespaces?.contains(.pid) == true)
    }

    /// Debian's criu 3.17 fails `criu check` on this kernel, so a real
    /// checkpoint cannot succeed here. What is proven: the command lines, and
    /// that runc's failure comes back as a clear error. Unproven: a
    /// successful checkpoint and restore.
    @Test func checkpointCommandLinesAndFailure() async throws {
        let criu = CRIUOptions(
            imagePath: "/tmp/img", workPath: "/tmp/work", tcpEstablished: true, externalUnixSockets: true, shellJob: true,
            fileLocks: true, emptyNamespaces: ["network"])
        #expect(
            Runc.checkpointArguments("c1", CheckpointOptions(criu: criu, parentPath: "../pre", leaveRunning: true)) == [
                "checkpoint", "--image-path", "/tmp/img", "--work-path", "/tmp/work", "--tcp-established", "--ext-unix-sk",
                "--shell-job", "--file-locks", "--empty-ns", "network", "--parent-path", "../pre", "--leave-running", "c1",
            ])
        #expect(
            Runc.restoreArguments("c1", bundle: "/b", RestoreOptions(criu: CRIUOptions(imagePath: "/img"), pidFile: "/p", noPivot: true))
                == [
                    "restore", "--bundle", "/b", "--image-path", "/img", "--pid-file", "/p", "--detach", "--no-pivot", "c1",
                ])
        #expect(
            Runc(root: "/r", log: "/l", systemdCgroup: true, debug: true).commandLine(["state", "x"]) == [
                "runc", "--root", "/r", "--log", "/l", "--log-format", "json", "--systemd-cgroup", "--debug", "state", "x",
            ])

        let box = try RuncBundle(name: "ckpt")
        try await box.runc.run(box.id, bundle: box.bundle, options: CreateOptions(detach: true))
        let images = box.directory.file("images")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        do {
            try await box.runc.checkpoint(box.id, options: CheckpointOptions(criu: CRIUOptions(imagePath: images), leaveRunning: true))
            // Where criu works, the checkpoint succeeds and the container keeps running.
            #expect(try await box.runc.state(box.id).status == "running")
        } catch {
            #expect(error.command == "checkpoint")
            #expect(!error.message.isEmpty)
            #expect(error.exitStatus != nil)
        }
        await box.cleanUp()
    }
}
