import Foundation
import TestSupport
import Testing

@testable import TTRPC

/// Interoperability with the Go reference: Debian's containerd/ttrpc (1.1,
/// unary only; streaming arrived in 1.2, so streams are tested Swift to
/// Swift in SwiftPeerTests). The peer is built from Debian's packages.
@Suite(.serialized) struct GoInteropTests {
    static let peerSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GoPeer").path

    static func peer() throws -> String {
        try GoBuild.binary(for: peerSource, name: "ttrpc-gopeer")
    }

    /// Runs a Go client action against `socket` and returns its output line(s).
    static func goClient(_ arguments: String...) async throws -> String {
        let result = try await Command.checkOffPool([try peer()] + arguments)
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Go client -> Swift server

    @Test func goClientUnaryAndMetadata() async throws {
        let echo = try EchoServer()
        let output = try await Self.goClient("echo", echo.path, "hello", "Alpha=1", "beta=2")
        #expect(output == "text=hello metadata=alpha=1,beta=2")
        await echo.stop()
    }

    @Test func goClientErrors() async throws {
        let echo = try EchoServer()
        #expect(try await Self.goClient("fail", echo.path, "5", "no such container") == "code=5 message=no such container")
        #expect(try await Self.goClient("fail", echo.path, "9", "wrong state") == "code=9 message=wrong state")
        let unknown = try await Self.goClient("unknown", echo.path)
        #expect(unknown == "code=12 message=method Nope\ncode=12 message=service no.such.Service")
        await echo.stop()
    }

    @Test func goClientDeadlines() async throws {
        let echo = try EchoServer()
        let ok = try await Self.goClient("deadline", echo.path, "0", "10000")
        #expect(ok.hasPrefix("text=late deadline_seen=true remaining_ms="))
        // Whichever expires first wins: our server's DeadlineExceeded answer
        // (code 4), or the Go client's own context, which Go's client reports
        // as Unknown (code 2). SwiftPeerTests.serverEnforcesTheDeadlineItWasSent
        // shows our server's answer on the wire.
        let late = try await Self.goClient("deadline", echo.path, "5000", "100")
        #expect(["code=4 message=context deadline exceeded", "code=2 message=context deadline exceeded"].contains(late))
        await echo.stop()
    }

    @Test func goClientLargestAndOversizedMessages() async throws {
        let echo = try EchoServer()
        let size = (4 << 20) - 64
        #expect(try await Self.goClient("size", echo.path, String(size)) == "length=\(size) intact=true\nafter=after")
        let oversized = try await Self.goClient("size", echo.path, String(4 << 20))
        #expect(oversized.hasPrefix("code=8 message=message length"), "\(oversized)")
        await echo.stop()
    }

    @Test func goClientThousandConcurrentCalls() async throws {
        let echo = try EchoServer()
        #expect(try await Self.goClient("concurrent", echo.path, "1000") == "matched=1000")
        await echo.stop()
    }

    // MARK: Swift client -> Go server

    final class GoServer: Sendable {
        let process: BackgroundProcess
        let path: String
        let directory: TemporaryDirectory

        init() throws {
            directory = try TemporaryDirectory(prefix: "ttrpc-goserver")
            path = directory.file("go.sock")
            process = try BackgroundProcess([try GoInteropTests.peer(), "serve", path])
            try process.waitForFile(path)
            // bind(2) creates the file before listen(2) runs: under load a
            // connect in between is refused. Wait until one is accepted.
            for _ in 0..<500 where !Self.accepts(path) { usleep(10_000) }
        }

        static func accepts(_ path: String) -> Bool {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: Array(path.utf8).prefix(raw.count - 1)) }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            } == 0
        }

        func stop() { process.stop() }
    }

    @Test func swiftClientAgainstGoServer() async throws {
        let go = try GoServer()
        defer { go.stop() }
        let client = try TTRPCClient(connectingTo: go.path)
        defer { client.close() }

        let response: TestEchoResponse = try await client.call(
            EchoService.name, "Echo", TestEchoRequest.text("hi"), metadata: ["Key": "v1"], timeout: .seconds(10))
        #expect(response.text == "hi")
        #expect(response.metadata == ["key=v1"])
        #expect(response.deadlineSeen)
        #expect(response.remainingMs > 0 && response.remainingMs <= 10000)

        await #expect(throws: TTRPCError(code: .alreadyExists, message: "exists")) {
            let _: TestEchoResponse = try await client.call(
                EchoService.name, "Echo",
                TestEchoRequest.with {
                    $0.failCode = 6; $0.failMessage = "exists"
                })
        }
        await #expect(throws: TTRPCError(code: .unimplemented, message: "method Nope")) {
            let _: TestEchoResponse = try await client.call(EchoService.name, "Nope", TestEchoRequest())
        }
        // The Go server sees the deadline and gives up when it passes; our client gives up too.
        await #expect {
            let _: TestEchoResponse = try await client.call(
                EchoService.name, "Echo", TestEchoRequest.with { $0.sleepMs = 5000 }, timeout: .milliseconds(100))
        } throws: { ($0 as? TTRPCError)?.code == .deadlineExceeded }

        let data = [UInt8]((0..<(4 << 20) - 64).map { UInt8($0 % 251) })
        let big: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.with { $0.data = .init(data) })
        #expect(Array(big.data) == data)
    }

    @Test func swiftClientThousandConcurrentCallsToGo() async throws {
        let go = try GoServer()
        defer { go.stop() }
        let client = try TTRPCClient(connectingTo: go.path)
        defer { client.close() }
        let matched = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let response: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("c\(index)"))
                    return response.text == "c\(index)"
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(matched == 1000)
    }

    /// What the Go server does with an oversized frame is what ours does:
    /// ResourceExhausted on the same stream, and the connection goes on.
    @Test func goServerAnswersOversizedLikeOurs() async throws {
        let go = try GoServer()
        defer { go.stop() }
        let echo = try EchoServer()
        for path in [go.path, echo.path] {
            let raw = try RawConnection(path: path)
            raw.sendFrame(1, .request, [UInt8](repeating: 0, count: (4 << 20) + 1))
            let (id, response) = try #require(try await raw.readResponse(), "\(path)")
            #expect(id == 1)
            #expect(response.status.code == TTRPCCode.resourceExhausted.rawValue)
            #expect(response.status.message == "message length 4194305 exceed maximum message size of 4194304")
            try raw.sendRequest(3, .text("still here"))
            let (next, reply) = try #require(try await raw.readResponse())
            #expect(next == 3)
            #expect(try TestEchoResponse(serializedBytes: reply.payload).text == "still here")
        }
        await echo.stop()
    }

    /// Both servers reject even stream ids the same way.
    @Test func evenStreamIDsRejectedLikeGo() async throws {
        let go = try GoServer()
        defer { go.stop() }
        let echo = try EchoServer()
        for path in [go.path, echo.path] {
            let raw = try RawConnection(path: path)
            try raw.sendRequest(2, .text("even"))
            let (id, response) = try #require(try await raw.readResponse())
            #expect(id == 2)
            #expect(response.status.code == TTRPCCode.invalidArgument.rawValue)
            #expect(response.status.message == "StreamID must be odd for client initiated streams")
        }
        await echo.stop()
    }
}
