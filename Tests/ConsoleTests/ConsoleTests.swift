import CConsoleLinux
import Console
import Foundation
import Testing

/// Console tests, one at a time: the throughput ones measure this process's memory.
@Suite(.serialized) struct ConsoleTests {}

/// A pipe whose ends the test owns.
func makePipe() throws -> (read: ConsoleDescriptor, write: ConsoleDescriptor) {
    try ConsoleDescriptor.pipe()
}

/// Writes all of `bytes` to a blocking descriptor.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
    }
}

/// Reads what arrives on `fd` until `marker` shows up or `seconds` pass.
func readUntil(_ fd: Int32, contains marker: String, seconds: Double = 10) -> String {
    var text = ""
    let deadline = Date().addingTimeInterval(seconds)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while Date() < deadline, !text.contains(marker) {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 100) > 0 else { continue }
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        text += String(decoding: buffer[0..<count], as: UTF8.self)
    }
    return text
}

/// Whether `fd` has anything to read within `milliseconds`.
func hasInput(_ fd: Int32, milliseconds: Int32 = 200) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, milliseconds) > 0
}
