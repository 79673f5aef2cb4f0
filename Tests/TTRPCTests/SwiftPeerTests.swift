import Synchronization
import Testing

@testable import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Swift client against Swift server, over a real unix socket.
@Suite struct SwiftPeerTests {
    @Test func unaryRoundTrip() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let response: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("hello"))
        #expect(response.text == "hello")
        #expect(!response.deadlineSeen)
        client.close()
        await echo.stop()
    }

    @Test func errorsCarryCodeAndMessage() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        await #expect(throws: TTRPCError(code: .notFound, message: "no such task")) {
            let _: TestEchoResponse = try await client.call(
                EchoService.name, "Echo",
                TestEchoRequest.with {
                    $0.failCode = 5; $0.failMessage = "no such task"
                })
        }
        await #expect(throws: TTRPCError(code: .unimplemented, message: "method Missing")) {
            let _: TestEchoResponse = try await client.call(EchoService.name, "Missing", TestEchoRequest())
        }
        await #expect(throws: TTRPCError(code: .unimplemented, message: "service nope.Service")) {
            let _: TestEchoResponse = try await client.call("nope.Service", "Echo", TestEchoRequest())
        }
        client.close()
        await echo.stop()
    }

    @Test func metadataReachesTheHandler() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        var metadata: TTRPCMetadata = ["Containerd-Namespace-TTRPC": "default"]
        metadata.append("multi", "1")
        metadata.append("multi", "2")
        let response: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("m"), metadata: metadata)
        #expect(response.metadata == ["containerd-namespace-ttrpc=default", "multi=1", "multi=2"])
        client.close()
        await echo.stop()
    }

    @Test func deadlines() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let quick: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("q"), timeout: .seconds(10))
        #expect(quick.deadlineSeen)
        #expect(quick.remainingMs > 0 && quick.remainingMs <= 10000)
        await #expect(throws: TTRPCError(code: .deadlineExceeded, message: "context deadline exceeded")) {
            let _: TestEchoResponse = try await client.call(
                EchoService.name, "Echo", TestEchoRequest.with { $0.sleepMs = 5000 }, timeout: .milliseconds(100))
        }
        // The connection still works, and the server cancelled the slow handler.
        let after: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("after"))
        #expect(after.text == "after")
        client.close()
        await echo.stop()
    }

    @Test func serverEnforcesTheDeadlineItWasSent() async throws {
        let echo = try EchoServer()
        let raw = try RawConnection(path: echo.path)
        var request = TTRPCRequest()
        request.service = EchoService.name
        request.method = "Echo"
        request.payload = try TestEchoRequest.with { $0.sleepMs = 10_000 }.serializedBytes()
        request.timeoutNano = 50_000_000
        raw.sendFrame(1, .request, try request.serializedBytes())
        let (id, response) = try #require(try await raw.readResponse())
        #expect(id == 1)
        #expect(response.status.code == TTRPCCode.deadlineExceeded.rawValue)
        await echo.stop()
    }

    @Test func largestMessageAndOversizedMessage() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        // The request frame holds the payload plus the Request envelope; leave room for it.
        let data = [UInt8]((0..<(4 << 20) - 64).map { UInt8($0 % 251) })
        let request = TestEchoRequest.with { $0.data = .init(data) }
        let response: TestEchoResponse = try await client.call(EchoService.name, "Echo", request)
        #expect(Array(response.data) == data)
        await #expect {
            let _: TestEchoResponse = try await client.call(
                EchoService.name, "Echo", TestEchoRequest.with { $0.data = .init(repeating: 1, count: 4 << 20) })
        } throws: { error in
            (error as? TTRPCError)?.code == .resourceExhausted
        }
        let after: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("after"))
        #expect(after.text == "after")
        client.close()
        await echo.stop()
    }

    @Test func thousandConcurrentCalls() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let matched = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let text = "call-\(index)"
                    let response: TestEchoResponse = try await client.call(
                        EchoService.name, "Echo",
                        TestEchoRequest.with {
                            $0.text = text; $0.sleepMs = Int64(index % 5)
                        })
                    return response.text == text
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(matched == 1000)
        client.close()
        await echo.stop()
    }

    @Test func droppedConnectionFailsCallsInFlight() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let slow = Task {
            let _: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.with { $0.sleepMs = 30_000 })
        }
        try await Task.sleep(for: .milliseconds(100))
        await echo.server.close()
        let result = await slow.result
        #expect(throws: TTRPCError.self) { try result.get() }
        if case .failure(let error as TTRPCError) = result { #expect(error.code == .unavailable) }
        await #expect(throws: TTRPCError.self) {
            let _: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("x"))
        }
        await echo.stop()
    }

    @Test func gracefulShutdownLetsInFlightCallsFinish() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let slow = Task { () throws -> String in
            let response: TestEchoResponse = try await client.call(
                EchoService.name, "Echo",
                TestEchoRequest.with {
                    $0.text = "finished"; $0.sleepMs = 300
                })
            return response.text
        }
        while echo.server.activeCalls == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await echo.server.shutdown()
        #expect(try await slow.value == "finished")
        #expect(access(echo.path, F_OK) != 0, "the socket file is removed")
        #expect(throws: TTRPCError.self) { try TTRPCClient(connectingTo: echo.path) }
        await echo.stop()
    }

    @Test func peerCredentialPolicyRejects() async throws {
        let echo = try EchoServer(peers: .requiring(uid: 4242, gid: nil))
        let client = try TTRPCClient(connectingTo: echo.path)
        await #expect {
            let _: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("x"))
        } throws: { error in
            (error as? TTRPCError)?.code == .unavailable
        }
        await echo.stop()
        let rooted = try EchoServer(peers: .rootOnly)
        let allowed = try TTRPCClient(connectingTo: rooted.path)
        let response: TestEchoResponse = try await allowed.call(EchoService.name, "Echo", TestEchoRequest.text("root"))
        #expect(response.text == "root")  // the tests run as root
        allowed.close()
        await rooted.stop()
    }

    @Test func servesAnInheritedDescriptor() async throws {
        let directory = try EchoServer()  // only for a private directory
        let path = directory.directory + "/inherited.sock"
        let fd = try UnixSocket.listen(path: path)
        let server = TTRPCServer(services: [EchoService.make()])
        try server.serve(listeningDescriptor: fd)
        let client = try TTRPCClient(connectingTo: path)
        let response: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("fd"))
        #expect(response.text == "fd")
        client.close()
        await server.close()
        unlink(path)
        await directory.stop()
    }

    @Test func replacesAStaleSocketOnlyWhenAsked() async throws {
        let echo = try EchoServer()
        let stale = echo.directory + "/stale.sock"
        // Bound, never listening: the file stays and nobody can accept on
        // it, even if a child forked meanwhile by a test running beside this
        // one still holds the descriptor for a moment before its exec.
        let fd = try UnixSocket.makeSocket(path: stale)
        #expect(try UnixSocket.withAddress(stale) { bind(fd, $0, $1) } == 0)
        close(fd)
        let server = TTRPCServer(services: [EchoService.make()])
        #expect(throws: TTRPCError.self) { try server.listen(path: stale) }
        try server.listen(path: stale, replacingStale: true)
        #expect(throws: TTRPCError.self) { try TTRPCServer(services: []).listen(path: stale, replacingStale: true) }
        await server.close()
        await echo.stop()
    }

    @Test func serverStreaming() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        var texts: [String] = []
        for try await message in try client.serverStream(
            EchoService.name, "Count",
            TestEchoRequest.with {
                $0.text = "n"; $0.count = 50
            }, as: TestEchoResponse.self)
        {
            texts.append(message.text)
        }
        #expect(texts == (0..<50).map { "n-\($0)" })
        var received = 0
        await #expect(throws: TTRPCError(code: .aborted, message: "stop")) {
            for try await _ in try client.serverStream(
                EchoService.name, "Count",
                TestEchoRequest.with {
                    $0.count = 3; $0.failCode = 10; $0.failMessage = "stop"
                },
                as: TestEchoResponse.self)
            {
                received += 1
            }
        }
        #expect(received == 3)
        client.close()
        await echo.stop()
    }

    @Test func typedDescriptorsServeOneProtocolUnderTwoNames() async throws {
        // One set of handlers, registered from the same descriptors under a
        // second service name, as the shim serves task API v2 and v3.
        var renamed = TTRPCService(name: "ttrpctest.v2.Echo")
        renamed.unary(TestEchoMethods.echo) { request, context in try await EchoService.respond(request, context) }
        let echo = try EchoServer(services: [EchoService.make(), renamed])
        let client = try TTRPCClient(connectingTo: echo.path)
        let first = try await client.call(TestEchoMethods.echo, .text("v1"))
        let second = try await client.call(TestEchoMethods.echo.inService("ttrpctest.v2.Echo"), .text("v2"))
        #expect(first.text == "v1" && second.text == "v2")
        await #expect(throws: TTRPCError.self) {
            _ = try await client.call(TestEchoMethods.echo.inService("ttrpctest.v3.Echo"), .text("nobody"))
        }
        client.close()
        await echo.stop()
    }

    @Test func clientStreaming() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let call = client.clientStream(TestEchoMethods.join)
        for word in ["a", "b", "c"] { try await call.send(.text(word)) }
        let response = try await call.finish()
        #expect(response.text == "a,b,c")
        client.close()
        await echo.stop()
    }

    @Test func bidirectionalStreaming() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let call = client.bidirectionalStream(TestEchoMethods.chat)
        var iterator = call.responses.makeAsyncIterator()
        for word in ["one", "two", "three"] {
            try await call.send(.text(word))
            #expect(try await iterator.next()?.text == word.uppercased())
        }
        try await call.closeSend()
        #expect(try await iterator.next() == nil)
        try await call.finish()
        client.close()
        await echo.stop()
    }

    @Test func cancellationFailsTheCall() async throws {
        let echo = try EchoServer()
        let client = try TTRPCClient(connectingTo: echo.path)
        let call = Task {
            let _: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.with { $0.sleepMs = 30_000 })
        }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        if case .failure(let error as TTRPCError) = await call.result {
            #expect(error.code == .canceled)
        } else {
            Issue.record("expected a cancellation error")
        }
        client.close()
        await echo.stop()
    }

    @Test func streamIDsAreOddAndIncreaseByTwo() async throws {
        let echo = try EchoServer()
        let seen = Mutex<[UInt32]>([])
        _ = seen
        let client = try TTRPCClient(connectingTo: echo.path)
        for index in 0..<5 {
            let _: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("\(index)"))
        }
        // The server rejects ids that are even or do not increase; five
        // successes on one connection show the client numbers 1, 3, 5, 7, 9.
        let raw = try RawConnection(path: echo.path)
        try raw.sendRequest(3, .text("x"))
        try raw.sendRequest(3, .text("again"))
        try raw.sendRequest(1, .text("lower"))
        var codes: [UInt32: [Int32]] = [:]
        for _ in 0..<3 {
            let (id, response) = try #require(try await raw.readResponse())
            codes[id, default: []].append(response.status.code)
        }
        #expect(codes[3]?.sorted() == [0, 3])
        #expect(codes[1] == [3])
        client.close()
        await echo.stop()
    }
}
