import Console
import Foundation
import Testing

extension ConsoleTests {
    @Suite struct Ptys {
        @Test func echoFollowsTheSetting() throws {
            let pty = try Pty()
            #expect(pty.slavePath.hasPrefix("/dev/pts/"))
            #expect(try pty.slaveTerminal.isEchoing())
            writeAll(pty.master.rawValue, Array("hello\n".utf8))
            #expect(readUntil(pty.slave.rawValue, contains: "hello") == "hello\n", "the line reaches the slave")
            #expect(readUntil(pty.master.rawValue, contains: "hello\r\n").contains("hello\r\n"), "and is echoed to the master")

            try pty.slaveTerminal.setEcho(false)
            #expect(try !pty.slaveTerminal.isEchoing())
            writeAll(pty.master.rawValue, Array("quiet\n".utf8))
            #expect(readUntil(pty.slave.rawValue, contains: "quiet") == "quiet\n")
            #expect(!hasInput(pty.master.rawValue), "no echo")
            pty.close()
        }

        @Test func rawModeDeliversBytesAtOnceAndUnchanged() throws {
            let pty = try Pty()
            #expect(try pty.slaveTerminal.isCanonical())
            let previous = try pty.slaveTerminal.makeRaw()
            #expect(try !pty.slaveTerminal.isCanonical())
            #expect(try !pty.slaveTerminal.isEchoing())
            // No newline: canonical mode would hold this back.
            writeAll(pty.master.rawValue, [0x03, 0x78])
            var bytes = [UInt8](repeating: 0, count: 8)
            #expect(hasInput(pty.slave.rawValue, milliseconds: 2000))
            let count = read(pty.slave.rawValue, &bytes, bytes.count)
            #expect(Array(bytes[0..<max(count, 0)]) == [0x03, 0x78], "Ctrl-C arrives as a byte, not SIGINT")
            writeAll(pty.slave.rawValue, Array("a\nb".utf8))
            #expect(readUntil(pty.master.rawValue, contains: "b") == "a\nb", "no output processing in raw mode")
            try pty.slaveTerminal.setAttributes(previous)
            #expect(try pty.slaveTerminal.isCanonical())
            pty.close()
        }

        @Test func onlcrTurnsNewlinesIntoCRLF() throws {
            let pty = try Pty()
            try pty.slaveTerminal.setOutputCRLF(true)
            writeAll(pty.slave.rawValue, Array("x\n".utf8))
            #expect(readUntil(pty.master.rawValue, contains: "\n") == "x\r\n")
            try pty.slaveTerminal.setOutputCRLF(false)
            writeAll(pty.slave.rawValue, Array("y\n".utf8))
            #expect(readUntil(pty.master.rawValue, contains: "\n") == "y\n")
        }

        @Test func resizeIsVisibleOnTheSlave() throws {
            let pty = try Pty()
            try pty.masterTerminal.setWindowSize(WindowSize(rows: 33, columns: 111, xPixels: 8, yPixels: 16))
            #expect(try pty.slaveTerminal.windowSize() == WindowSize(rows: 33, columns: 111, xPixels: 8, yPixels: 16))
            let other = try Pty()
            try other.masterTerminal.setWindowSize(WindowSize(rows: 50, columns: 200))
            try pty.masterTerminal.copySize(from: other.slaveTerminal)
            #expect(try pty.slaveTerminal.windowSize().description == "50x200")
            // Not a terminal: a clear error.
            let pipe = try makePipe()
            do {
                _ = try Terminal(pipe.read).windowSize()
                Issue.record("TIOCGWINSZ on a pipe succeeded")
            } catch {
                #expect(error.errno == .inappropriateIOCTLForDevice || error.errno == .invalidArgument, "\(error)")
            }
        }
    }
}
