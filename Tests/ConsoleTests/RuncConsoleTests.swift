import Console
import Foundation
import OCISpec
import TestSupport
import Testing

extension ConsoleTests {
    /// A real `runc run -d` of a busybox shell with `terminal: true`: runc
    /// sends the pty master to our console socket.
    @Suite struct RuncConsole {
        @Test func interactiveShellThroughTheReceivedMaster() async throws {
            let directory = try TemporaryDirectory(prefix: "console-runc")
            let id = "swift-console-\(getpid())"
            let root = directory.file("runc-root")
            defer {
                _ = try? Command.run(["runc", "--root", root, "delete", "--force", id])
                directory.remove()
            }
            let bundle = directory.file("bundle")
            try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
            try BusyboxRootfs.create(at: "\(bundle)/rootfs")
            try Command.check(["runc", "spec"], directory: bundle)
            var spec = try Spec.load(from: .init("\(bundle)/config.json"))
            spec.process?.terminal = true
            spec.setArgs(["/bin/sh"])
            spec.root?.readonly = false
            spec.linux?.cgroupsPath = "/swift-console-test/\(id)"
            try spec.write(to: .init("\(bundle)/config.json"))

            let socket = try ConsoleSocket()
            defer { socket.close() }
            let run = try await Command.runOffPool(["runc", "--root", root, "run", "-d", "--console-socket", socket.path, "-b", bundle, id])
            #expect(run.status == 0, "\(run.errors)")
            let master = try socket.receiveMaster(timeout: .seconds(10))
            let console = Terminal(master)
            try console.setWindowSize(WindowSize(rows: 24, columns: 80))

            writeAll(master.rawValue, Array("echo sum-$((40+2))\n".utf8))
            #expect(readUntil(master.rawValue, contains: "sum-42").contains("sum-42"))
            writeAll(master.rawValue, Array("stty size\n".utf8))
            #expect(readUntil(master.rawValue, contains: "24 80").contains("24 80"))

            try console.setWindowSize(WindowSize(rows: 40, columns: 132))
            writeAll(master.rawValue, Array("stty size\n".utf8))
            #expect(readUntil(master.rawValue, contains: "40 132").contains("40 132"), "the resize is seen inside")

            writeAll(master.rawValue, Array("exit 0\n".utf8))
            var status = ""
            for _ in 0..<100 {
                status = (try? Command.run(["runc", "--root", root, "state", id]).output) ?? ""
                if status.contains("\"stopped\"") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status.contains("\"stopped\""), "the shell exited")
            master.close()
            // runc removes the container's cgroup on delete; the parent is ours.
            _ = try? Command.run(["runc", "--root", root, "delete", "--force", id])
            CgroupLeftovers.remove("swift-console-test")
        }
    }
}
