// Console scenarios that need a process to themselves: the fd-leak check
// counts every open descriptor, which other suites running in the test
// process at the same time would disturb.
//
//   console-scenarios cycles N   N pty/relay/socket open-use-close cycles; prints "before X after Y"
//   console-scenarios memory     64 MiB through a pipe and through a pty to a slow reader;
//                                prints "pipe BYTES GROWTH_KB" and "pty BYTES GROWTH_KB" (resident memory)

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
        if arguments == ["memory"] {
            do {
                for kind in ["pipe", "pty"] {
                    let before = residentKilobytes()
                    let moved = try await relaySixtyFourMiB(throughPty: kind == "pty")
                    print("\(kind) \(moved) \(residentKilobytes() - before)")
                }
            } catch {
                print("failed: \(error)")
                exit(1)
            }
            return
        }
        guard arguments.count == 2, arguments[0] == "cycles", let cycles = Int(arguments[1]) else {
            print("usage: console-scenarios cycles N | memory")
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
            // Descriptors opened and not closed (a target renamed, such as an inherited file now deleted, is not one).
            for (fd, target) in after.sorted(by: { $0.key < $1.key }) where before[fd] == nil {
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
        let (outputRead, outputWrite) = try ConsoleDescriptor.pipe()
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

    /// 64 MiB written by a thread into a pipe or a pty slave, relayed to a
    /// pipe read here with a pause every MiB; returns the bytes received.
    static func relaySixtyFourMiB(throughPty: Bool) async throws -> Int {
        let total = 64 << 20
        let relay = try ConsoleRelay()
        let output = try ConsoleDescriptor.pipe()
        let source: ConsoleDescriptor
        let sink: ConsoleDescriptor
        var pty: Pty?
        if throughPty {
            let pair = try Pty()
            try pair.slaveTerminal.makeRaw()
            (source, sink, pty) = (pair.master, pair.slave, pair)
        } else {
            (source, sink) = try ConsoleDescriptor.pipe()
        }
        let stream = try relay.relay(from: source, to: output.write)
        output.write.close()
        if pty == nil { source.close() }
        let writer = WriterThread(sink: sink, total: total)
        writer.start()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var received = 0
        var nextPause = 1 << 20
        while true {
            let count = read(output.read.rawValue, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            received += count
            if received >= nextPause {
                usleep(2_000)
                nextPause += 1 << 20
            }
        }
        _ = await stream.finished()
        await relay.shutdown()
        _ = pty
        return received
    }

    static func residentKilobytes() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:") { return Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0 }
        }
        return 0
    }

    /// Open descriptors and what each refers to (readlink of /proc/self/fd/N), timerfds excepted.
    static func openDescriptors() -> [Int32: String] {
        guard let directory = opendir("/proc/self/fd") else { return [:] }
        defer { closedir(directory) }
        var result: [Int32: String] = [:]
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != dirfd(directory) else { continue }
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
            let text = length > 0 ? String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
            // libdispatch opens a timerfd per clock the first time a timer of
            // that clock is armed; Console never creates one, so they are not counted.
            if text == "anon_inode:[timerfd]" { continue }
            result[fd] = text
        }
        return result
    }
}

/// A writer thread: `total` bytes of 0x61 into `sink`, then closes it.
final class WriterThread: @unchecked Sendable {
    let sink: ConsoleDescriptor
    let total: Int
    init(sink: ConsoleDescriptor, total: Int) {
        self.sink = sink
        self.total = total
    }

    func start() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, nil, writerThreadMain, context) == 0 else { return }
        pthread_detach(thread)
    }

    func run() {
        let chunk = [UInt8](repeating: 0x61, count: 256 * 1024)
        var written = 0
        while written < total {
            let count = chunk.withUnsafeBytes { write(sink.rawValue, $0.baseAddress, min($0.count, total - written)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            written += count
        }
        sink.close()
    }
}

private func writerThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    Unmanaged<WriterThread>.fromOpaque(context).takeRetainedValue().run()
    return nil
}
