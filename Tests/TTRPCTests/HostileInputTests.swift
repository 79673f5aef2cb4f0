import Testing

@testable import TTRPC

/// Bad input gets the right status, or a close of that connection only;
/// the server keeps serving everyone else.
@Suite struct HostileInputTests {
    /// A healthy client's call still works.
    private func stillServes(_ echo: EchoServer) async throws {
        let client = try TTRPCClient(connectingTo: echo.path)
        let response: TestEchoResponse = try await client.call(EchoService.name, "Echo", TestEchoRequest.text("alive"))
        #expect(response.text == "alive")
        client.close()
    }

    @Test func truncatedFrameClosesOnlyThatConnection() async throws {
        let echo = try EchoServer()
        let raw = try RawConnection(path: echo.path)
        raw.write([0, 0, 0, 50, 0, 0, 0, 1, 1])  // nine of ten header bytes
        try await stillServes(echo)
        raw.write([0] + [UInt8](repeating: 7, count: 10))  // header done, payload short
        shutdown(raw.fd, Int32(SHUT_WR))
        #expect(await raw.isClosedByPeer())
        try await stillServes(echo)
        await echo.stop()
    }

    @Test func unknownMessageTypesAreIgnored() async throws {
        let echo = try EchoServer()
        let raw = try RawConnection(path: echo.path)
        raw.sendFrame(1, FrameType(rawValue: 0x42), [1, 2, 3])
        raw.sendFrame(1, .response, [9])
        raw.sendFrame(99, .data, flags: [.remoteClosed], [1])  // data for a stream that does not exist
        try raw.sendRequest(3, .text("after junk"))
        let (id, response) = try #require(try await raw.readResponse())
        #expect(id == 3)
        #expect(try TestEchoResponse(serializedBytes: response.payload).text == "after junk")
        await echo.stop()
    }

    @Test func garbageProtobufIsInvalidArgument() async throws {
        let echo = try EchoServer()
        let raw = try RawConnection(path: echo.path)
        raw.sendFrame(1, .request, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        let (id, response) = try #require(try await raw.readResponse())
        #expect(id == 1)
        #expect(response.status.code == TTRPCCode.invalidArgument.rawValue)
        #expect(response.status.message.hasPrefix("unmarshal request error"))
        // A well-formed envelope whose payload is garbage for the method: Internal, as Go answers.
        var request = TTRPCRequest()
        request.service = EchoService.name
        request.method = "Echo"
        request.payload = .init([0x0A, 0xFF, 0xFF])
        raw.sendFrame(3, .request, try request.serializedBytes())
        let (next, failure) = try #require(try await raw.readResponse())
        #expect(next == 3)
        #expect(failure.status.code == TTRPCCode.internal.rawValue)
        #expect(failure.status.message.hasPrefix("ttrpc: error unmarshalling payload"))
        try await stillServes(echo)
        await echo.stop()
    }

    @Test func reusedAndEvenStreamIDs() async throws {
        let echo = try EchoServer()
        let raw = try RawConnection(path: echo.path)
        try raw.sendRequest(5, .text("five"))
        _ = try #require(try await raw.readResponse())
        for id: UInt32 in [5, 3, 8] {
            try raw.sendRequest(id, .text("bad"))
            let (answered, response) = try #require(try await raw.readResponse())
            #expect(answered == id)
            #expect(response.status.code == TTRPCCode.invalidArgument.rawValue)
        }
        try raw.sendRequest(7, .text("seven"))
        let (id, response) = try #require(try await raw.readResponse())
        #expect(id == 7)
        #expect(response.status.code == 0)
        await echo.stop()
    }

    @Test func hugeLengthFieldIsSkippedNotBuffered() async throws {
        let echo = try EchoServer()
        let raw = try RawConnection(path: echo.path)
        raw.write([0xFF, 0xFF, 0xFF, 0xF0, 0, 0, 0, 1, 1, 0])  // claims almost 4 GiB
        raw.write([UInt8](repeating: 0, count: 1 << 20))
        try await stillServes(echo)
        await echo.stop()  // closing while the server still skips is fine
    }

    @Test func gateDecisions() {
        let header = FrameHeader(length: 0, streamID: 1, type: .request)
        func decide(_ id: UInt32, _ payload: [UInt8], last: UInt32 = 0, draining: Bool = false) -> RequestGate.Decision {
            var frame = header
            frame.streamID = id
            return RequestGate.decide(header: frame, payload: payload, lastStreamID: last, draining: draining) { service, method in
                service == "s" ? method == "m" : nil
            }
        }
        var request = TTRPCRequest()
        request.service = "s"
        request.method = "m"
        let good = (try? request.serializedBytes()) ?? []
        if case .accept(let id, let accepted) = decide(1, good) {
            #expect(id == 1 && accepted.method == "m")
        } else {
            Issue.record("expected accept")
        }
        if case .reject(_, let code, _) = decide(1, good, draining: true) { #expect(code == .unavailable) }
        if case .reject(_, let code, let message) = decide(3, good, last: 5) {
            #expect(code == .invalidArgument && message.contains("re-used"))
        }
        request.method = "x"
        if case .reject(_, let code, let message) = decide(1, (try? request.serializedBytes()) ?? []) {
            #expect(code == .unimplemented && message == "method x")
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
