import CConsoleLinux
import Console
import Foundation
import Testing

extension ConsoleTests {
    @Suite struct Sockets {
        /// Connects to `path` and sends `payload` with `fds` attached (none when empty).
        func send(to path: String, payload: String, fds: [Int32]) throws {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: Array(path.utf8))
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(connected == 0)
            let bytes = Array(payload.utf8)
            if let first = fds.first {
                #expect(cconsole_send_fd(fd, bytes, bytes.count, first) == bytes.count)
            } else {
                #expect(write(fd, bytes, bytes.count) == bytes.count)
            }
        }

        @Test func receivesAPtyMasterAndCleansUp() throws {
            let socket = try ConsoleSocket()
            let path = socket.path
            #expect(FileManager.default.fileExists(atPath: path))
            let directory = (path as NSString).deletingLastPathComponent
            let mode = (try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int) ?? 0
            #expect(mode == 0o700, "a private directory")
            let pty = try Pty()
            try send(to: path, payload: "/dev/ptmx", fds: [pty.master.rawValue])
            let master = try socket.receiveMaster(timeout: .seconds(5))
            #expect(master.rawValue != pty.master.rawValue)
            #expect(fcntl(master.rawValue, F_GETFD) & FD_CLOEXEC != 0, "received close-on-exec")
            // The same terminal: what the slave writes, the received master reads.
            writeAll(pty.slave.rawValue, Array("through".utf8))
            #expect(readUntil(master.rawValue, contains: "through") == "through")
            socket.close()
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(!FileManager.default.fileExists(atPath: directory))
        }

        @Test func malformedMessagesAndTimeouts() throws {
            let socket = try ConsoleSocket()
            defer { socket.close() }
            do {
                _ = try socket.receiveMaster(timeout: .milliseconds(100))
                Issue.record("received without a peer")
            } catch {
                #expect(
                    error.errno == .timedOut && error.code == .timedOut && error.description.contains("no connection within the timeout"),
                    "\(error)")
            }
            try send(to: socket.path, payload: "no descriptor", fds: [])
            do {
                _ = try socket.receiveMaster(timeout: .seconds(5))
                Issue.record("a message without a descriptor was accepted")
            } catch {
                #expect(error.code == .badMessage && error.description.contains("expected one descriptor, got 0"), "\(error)")
            }
            let pipe = try makePipe()
            try send(to: socket.path, payload: "pipe", fds: [pipe.read.rawValue])
            do {
                _ = try socket.receiveMaster(timeout: .seconds(5))
                Issue.record("a pipe was accepted as a console")
            } catch {
                #expect(error.code == .notATerminal && error.description.contains("not a terminal"), "\(error)")
            }
        }
    }
}
