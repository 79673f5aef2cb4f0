import Console
import LinuxSupport
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The relay's interrupted calls, through the shared layer's syscall seam
/// (`SystemCall.injectFailures`, per thread): a relay driven on the test's
/// own thread, so the injected EINTRs land in its epoll registration,
/// splice, read and write calls. Synchronous: the thread never changes.
@Suite struct RelaySeamTests {
    @Test func interruptedCallsAreRetriedAndNothingIsLost() throws {
        let relay = try ConsoleRelay(ownThread: false)
        let input = try makePipe()
        let output = try makePipe()
        let stream = try relay.relay(from: input.read, to: output.write)
        input.read.close()
        output.write.close()
        let message = Array("interrupted but complete\n".utf8)
        _ = message.withUnsafeBytes { write(input.write.rawValue, $0.baseAddress, $0.count) }
        input.write.close()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        var injectedMet = 0
        _ = fcntl(output.read.rawValue, F_SETFL, fcntl(output.read.rawValue, F_GETFL) | O_NONBLOCK)
        for _ in 0..<200 where !stream.isFinished || received.count < message.count {
            SystemCall.injectFailures([.interrupted, .interrupted, .interrupted])
            relay.runReady()
            injectedMet += 3 - SystemCall.injectedFailuresLeft
            let count = read(output.read.rawValue, &buffer, buffer.count)
            if count > 0 { received += buffer[0..<count] }
            usleep(1000)
        }
        SystemCall.injectFailures([])
        #expect(injectedMet >= 3, "the relay's calls met the injected EINTRs (\(injectedMet))")
        #expect(received == message)
        #expect(stream.isFinished, "the source's end ended the stream")
    }
}
