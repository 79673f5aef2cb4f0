import CConsoleLinux
import Console
import Foundation
import Synchronization
import TestSupport
import Testing

extension ConsoleTests {
    @Suite struct Relay {
        static let total = 64 << 20

        /// The test stream repeats a table of prime length, so a chunk lost,
        /// doubled or out of order shows up as a mismatch.
        static let period = 65_521
        static let table: [UInt8] = (0..<(period + (256 << 10))).map {
            UInt8(truncatingIfNeeded: ($0 % period) &* 31 &+ (($0 % period) >> 8))
        }

        /// Bytes `offset..<offset+count` of the stream (count at most 256 KiB).
        static func pattern(_ offset: Int, _ count: Int) -> ArraySlice<UInt8> {
            let start = offset % period
            return table[start..<(start + count)]
        }

        /// Writes `total` pattern bytes to `fd` on a thread of its own, then closes it.
        static func startWriter(_ fd: ConsoleDescriptor) -> Thread {
            let thread = Thread {
                var offset = 0
                while offset < total {
                    let chunk = pattern(offset, min(256 * 1024, total - offset))
                    writeAll(fd.rawValue, Array(chunk))
                    offset += chunk.count
                }
                fd.close()
            }
            thread.start()
            return thread
        }

        /// Reads until EOF, slowly (a pause every MiB), checking every byte in order.
        static func readSlowly(_ fd: Int32) -> (count: Int, firstMismatch: Int?) {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var offset = 0
            var mismatch: Int?
            var nextPause = 1 << 20
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                if mismatch == nil {
                    let same = pattern(offset, count).withUnsafeBytes { expected in
                        buffer.withUnsafeBytes { actual in
                            guard let lhs = actual.baseAddress, let rhs = expected.baseAddress else { return false }
                            return memcmp(lhs, rhs, count) == 0
                        }
                    }
                    if !same { mismatch = offset }
                }
                offset += count
                if offset >= nextPause {
                    usleep(2_000)
                    nextPause += 1 << 20
                }
            }
            return (offset, mismatch)
        }

        /// A relay on its own thread, or driven by a loop of the caller's
        /// (a thread here polling its descriptor, as the shim's loop does).
        static func makeRelay(_ mode: String) throws -> (relay: ConsoleRelay, driver: RelayDriver?) {
            guard mode == "driven" else { return (try ConsoleRelay(), nil) }
            let relay = try ConsoleRelay(ownThread: false)
            return (relay, RelayDriver(relay))
        }

        @Test(arguments: ["thread", "driven"])
        func sixtyFourMiBThroughPipesWithASlowReaderArriveCompleteInOrder(_ mode: String) async throws {
            let (relay, driver) = try Self.makeRelay(mode)
            defer { driver?.stop() }
            let input = try makePipe()
            let output = try makePipe()
            let stream = try relay.relay(from: input.read, to: output.write)
            input.read.close()
            output.write.close()  // the relay's copy is now the only writer
            _ = Self.startWriter(input.write)
            let received = Self.readSlowly(output.read.rawValue)
            let result = await stream.finished()
            #expect(received.count == Self.total)
            #expect(received.firstMismatch == nil, "first wrong byte at \(String(describing: received.firstMismatch))")
            #expect(result.bytesMoved == UInt64(Self.total) && result.bytesDropped == 0 && result.error == nil)
            await relay.shutdown()
        }

        @Test(arguments: ["thread", "driven"])
        func sixtyFourMiBThroughAPtyArriveCompleteInOrder(_ mode: String) async throws {
            let (relay, driver) = try Self.makeRelay(mode)
            defer { driver?.stop() }
            let pty = try Pty()
            try pty.slaveTerminal.makeRaw()
            let output = try makePipe()
            let stream = try relay.relay(from: pty.master, to: output.write)
            output.write.close()
            // The writer closes the slave at the end; the master then reads EIO, the relay's end of stream.
            let slave = pty.slave
            _ = Self.startWriter(slave)
            let received = Self.readSlowly(output.read.rawValue)
            let result = await stream.finished()
            #expect(received.count == Self.total)
            #expect(received.firstMismatch == nil)
            #expect(result.bytesMoved == UInt64(Self.total) && result.error == nil)
            await relay.shutdown()
        }

        @Test func bothDirectionsOfAConsole() async throws {
            let relay = try ConsoleRelay()
            let pty = try Pty()
            try pty.slaveTerminal.makeRaw()
            let stdin = try makePipe()
            let stdout = try makePipe()
            let inbound = try relay.relay(from: stdin.read, to: pty.master)
            let outbound = try relay.relay(from: pty.master, to: stdout.write)
            stdin.read.close()
            stdout.write.close()
            writeAll(stdin.write.rawValue, Array("typed".utf8))
            #expect(readUntil(pty.slave.rawValue, contains: "typed") == "typed")
            writeAll(pty.slave.rawValue, Array("printed".utf8))
            #expect(readUntil(stdout.read.rawValue, contains: "printed") == "printed")
            // EOF on stdin ends only the inbound stream; the console still prints.
            stdin.write.close()
            #expect(await inbound.finished().error == nil)
            writeAll(pty.slave.rawValue, Array("after".utf8))
            #expect(readUntil(stdout.read.rawValue, contains: "after") == "after")
            pty.slave.close()
            #expect(await outbound.finished().error == nil)
            #expect(readUntil(stdout.read.rawValue, contains: "never", seconds: 1).isEmpty, "stdout reached EOF")
            await relay.shutdown()
        }

        /// A destination that never drains: shutdown gives up after its
        /// flush timeout (a timerfd expiry when driven) and counts the drop.
        @Test(arguments: ["thread", "driven"])
        func shutdownGivesUpOnAStuckDestinationAfterItsTimeout(_ mode: String) async throws {
            let (relay, driver) = try Self.makeRelay(mode)
            defer { driver?.stop() }
            let input = try makePipe()
            let output = try makePipe()
            _ = fcntl(output.write.rawValue, F_SETFL, fcntl(output.write.rawValue, F_GETFL) | O_NONBLOCK)
            let block = [UInt8](repeating: 0x2e, count: 4096)
            while write(output.write.rawValue, block, block.count) > 0 {}
            let stream = try relay.relay(from: input.read, to: output.write)
            output.write.close()
            writeAll(input.write.rawValue, Array(repeating: 0x41, count: 1000))
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            await relay.shutdown(flushTimeout: .milliseconds(300))
            let result = await stream.finished()
            #expect(ContinuousClock.now - started < .seconds(5), "shutdown returned after its timeout")
            #expect(result.bytesDropped == 1000 && result.bytesMoved == 0, "\(result)")
        }

        @Test(arguments: ["thread", "driven"])
        func shutdownFlushesWhatWasAlreadyRead(_ mode: String) async throws {
            let (relay, driver) = try Self.makeRelay(mode)
            defer { driver?.stop() }
            let input = try makePipe()
            let output = try makePipe()
            // Fill the destination so the relay can read but not write.
            _ = fcntl(output.write.rawValue, F_SETFL, fcntl(output.write.rawValue, F_GETFL) | O_NONBLOCK)
            var filled = 0
            let block = [UInt8](repeating: 0x2e, count: 4096)
            while true {
                let written = write(output.write.rawValue, block, block.count)
                if written <= 0 { break }
                filled += written
            }
            let stream = try relay.relay(from: input.read, to: output.write)
            output.write.close()
            let message = Array(repeating: Array("keep-me".utf8), count: 1000).flatMap { $0 }
            writeAll(input.write.rawValue, message)
            try await Task.sleep(for: .milliseconds(200))
            let stopping = Task { await relay.shutdown(flushTimeout: .seconds(10)) }
            // Drain slowly; everything the relay had read must still arrive.
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(output.read.rawValue, &buffer, buffer.count)
                guard count > 0 else { break }
                received += buffer[0..<count]
            }
            await stopping.value
            let result = await stream.finished()
            #expect(received.count == filled + message.count)
            #expect(Array(received.suffix(message.count)) == message)
            #expect(result.bytesDropped == 0)
            #expect(result.bytesMoved == UInt64(message.count))
        }

        /// Bounded memory, measured in `console-scenarios` (a process of its
        /// own: other suites here change this process's resident size).
        @Test func relayingSixtyFourMiBKeepsMemoryBounded() throws {
            let result = try Command.check([Self.scenarios, "memory"])
            let rows = result.output.split(separator: "\n").map { $0.split(separator: " ") }
            #expect(rows.count == 2, "\(result.output)")
            for row in rows where row.count == 3 {
                #expect(Int(row[1]) == 64 << 20, "\(row[0]): all 64 MiB arrived")
                #expect((Int(row[2]) ?? .max) < 16 * 1024, "\(row[0]): resident memory grew \(row[2]) kB for 64 MiB relayed")
            }
        }

        static var scenarios: String { BuiltProduct.path("console-scenarios") }

        /// In `console-scenarios`, a process of its own, so that every open
        /// descriptor counts: other suites open and close some at the same time here.
        @Test func noDescriptorLeaksOverAThousandCycles() throws {
            let program = Self.scenarios
            let socketsBefore = Self.consoleSocketDirectories()
            let result = try Command.check([program, "cycles", "1000"])
            let lines = result.output.split(separator: "\n")
            #expect(lines.count == 1, "descriptors left open: \(lines.dropFirst())")
            let words = (lines.first ?? "").split(separator: " ")
            #expect(words.count >= 4 && words[0] == "before" && words[2] == "after", "\(result.output)")
            #expect(words.count == 4 && words[1] == words[3], "open descriptors before and after 1,000 cycles: \(result.output)")
            #expect(Self.consoleSocketDirectories() == socketsBefore, "console socket directories are removed")
        }

        static func consoleSocketDirectories() -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("console-socket-") }.count) ?? 0
        }
    }
}

/// The caller's event loop for a driven relay: a thread that polls the
/// relay's descriptor and runs what is ready, until stopped.
final class RelayDriver: @unchecked Sendable {
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(_ relay: ConsoleRelay) {
        let thread = Thread { [self] in
            var entry = pollfd(fd: relay.descriptor, events: Int16(POLLIN), revents: 0)
            while !stopped.load(ordering: .relaxed) {
                if poll(&entry, 1, 20) > 0 { relay.runReady() }
            }
            done.signal()
        }
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        done.wait()
    }
}
