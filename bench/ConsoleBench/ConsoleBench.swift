// Relay throughput of Console's ConsoleRelay; bench/run console runs it
// beside the Go reference (bench/go/console-bench) with the same arguments.
//
//   console-bench pipe MiB   a writer thread -> pipe -> relay -> pipe -> this thread
//   console-bench pty MiB    a writer thread -> pty slave (raw) -> master -> relay -> pipe

import CConsoleLinux
import Console

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@main
struct ConsoleBench {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 2, let mib = Int(arguments[1]), ["pipe", "pty"].contains(arguments[0]) else {
            fail("usage: console-bench pipe|pty MIB")
        }
        do {
            let relay = try ConsoleRelay()
            let source: ConsoleDescriptor
            let sink: ConsoleDescriptor
            var pty: Pty?
            if arguments[0] == "pipe" {
                (source, sink) = try pipe()
            } else {
                let pair = try Pty()
                try pair.slaveTerminal.makeRaw()
                pty = pair
                (source, sink) = (pair.master, pair.slave)
            }
            let (outputRead, outputWrite) = try pipe()
            let start = ContinuousClock.now
            let stream = try relay.relay(from: source, to: outputWrite, bufferSize: 64 * 1024)
            outputWrite.close()
            if pty == nil { source.close() }
            startWriter(sink, total: mib << 20)
            var received = 0
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(outputRead.rawValue, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                received += count
            }
            _ = await stream.finished()
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            guard received == mib << 20 else { fail("received \(received) of \(mib << 20)") }
            print("mib_per_s \((Double(mib) / seconds * 10).rounded() / 10)")
            await relay.shutdown()
        } catch {
            fail("\(error)")
        }
    }

    static func pipe() throws(ConsoleError) -> (ConsoleDescriptor, ConsoleDescriptor) {
        try ConsoleDescriptor.pipe()
    }

    /// Writes `total` bytes to `sink` from a thread of its own, then closes it.
    static func startWriter(_ sink: ConsoleDescriptor, total: Int) {
        let context = Unmanaged.passRetained(WriterJob(sink: sink, total: total)).toOpaque()
        var thread = pthread_t()
        guard pthread_create(&thread, nil, writerMain, context) == 0 else { fail("pthread_create") }
        pthread_detach(thread)
    }

    static func fail(_ message: String) -> Never {
        let line = message + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(1)
    }
}

final class WriterJob {
    let sink: ConsoleDescriptor
    let total: Int
    init(sink: ConsoleDescriptor, total: Int) {
        self.sink = sink
        self.total = total
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

private func writerMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    Unmanaged<WriterJob>.fromOpaque(context).takeRetainedValue().run()
    return nil
}
