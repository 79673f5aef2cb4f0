// Console scenarios that need a process to themselves: the fd-leak check
// counts every open descriptor, which other suites running in the test
// process at the same time would disturb.
//
//   console-scenarios cycles N   N pty/relay/socket open-use-close cycles; prints "before X after Y"

import CConsoleLinux
import Console

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@main
struct ConsoleScenarios {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 2, arguments[0] == "cycles", let cycles = Int(arguments[1]) else {
            print("usage: console-scenarios cycles N")
            exit(2)
        }
        do {
            // Warm up what the runtime opens lazily: libdispatch's timer
            // machinery (an epoll and an eventfd of its own) and a few cycles.
            try await Task.sleep(for: .milliseconds(1))
            for index in 0..<20 { try await cycle(index) }
            let before = openDescriptors()
            for index in 1...cycles { try await cycle(index) }
            try await Task.sleep(for: .milliseconds(1))
            let after = openDescriptors()
            print("before \(before.count) after \(after.count)")
            for (fd, target) in after.sorted(by: { $0.key < $1.key }) where before[fd] != target {
                print("new fd \(fd) -> \(target)")
            }
        } catch {
            print("failed: \(error)")
            exit(1)
        }
    }

    static func cycle(_ index: Int) async throws {
        let relay = try ConsoleRelay()
        let pty = try Pty()
        var ends: [Int32] = [-1, -1]
        guard cconsole_pipe(&ends) == 0 else { throw ConsoleError(operation: "pipe2") }
        let outputRead = ConsoleDescriptor(taking: ends[0])
        let outputWrite = ConsoleDescriptor(taking: ends[1])
        let stream = try relay.relay(from: pty.master, to: outputWrite)
        outputWrite.close()
        let line = Array("cycle \(index)\n".utf8)
        _ = line.withUnsafeBytes { write(pty.slave.rawValue, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(outputRead.rawValue, &buffer, buffer.count)
        guard count > 0, String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("cycle \(index)") else {
            throw ConsoleError(operation: "relay", detail: "cycle \(index) read nothing")
        }
        pty.close()
        _ = await stream.finished()
        outputRead.close()
        let socket = try ConsoleSocket()
        socket.close()
        await relay.shutdown()
    }

    /// Open descriptors and what each refers to (readlink of /proc/self/fd/N).
    static func openDescriptors() -> [Int32: String] {
        guard let directory = opendir("/proc/self/fd") else { return [:] }
        defer { closedir(directory) }
        var result: [Int32: String] = [:]
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != dirfd(directory) else { continue }
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
            result[fd] = length > 0 ? String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        }
        return result
    }
}
