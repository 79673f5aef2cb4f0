import Synchronization
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Swift twin of the Go peer's `ttrpctest.Echo`, plus streaming methods.
enum EchoService {
    static let name = TestEchoMethods.serviceName

    /// Registered by the generated descriptors (`TestEchoMethods`, from the
    /// `service` block of echo.proto), so the message types are checked.
    static func make() -> TTRPCService {
        var service = TTRPCService(name: name)
        service.unary(TestEchoMethods.echo) { request, context in
            try await respond(request, context)
        }
        service.serverStreaming(TestEchoMethods.count) { request, stream, context in
            for index in 0..<Int(request.count) {
                try await stream.send(.with { $0.text = "\(request.text)-\(index)" })
            }
            if request.failCode != 0 {
                throw TTRPCError(code: TTRPCCode(rawValue: request.failCode), message: request.failMessage)
            }
        }
        service.clientStreaming(TestEchoMethods.join) { requests, context in
            var texts: [String] = []
            for try await request in requests { texts.append(request.text) }
            return .with { $0.text = texts.joined(separator: ",") }
        }
        service.bidirectional(TestEchoMethods.chat) { requests, responses, context in
            for try await request in requests {
                try await responses.send(.with { $0.text = request.text.uppercased() })
            }
        }
        return service
    }

    static func respond(_ request: TestEchoRequest, _ context: TTRPCCallContext) async throws -> TestEchoResponse {
        if request.sleepMs > 0 {
            try await Task.sleep(for: .milliseconds(request.sleepMs))
        }
        if request.failCode != 0 {
            throw TTRPCError(code: TTRPCCode(rawValue: request.failCode), message: request.failMessage)
        }
        return .with { response in
            response.text = request.text
            response.data = request.data
            response.metadata = context.metadata.entries.flatMap { key, values in values.map { "\(key)=\($0)" } }.sorted()
            if let remaining = context.remaining {
                response.deadlineSeen = true
                response.remainingMs = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
            }
        }
    }
}

/// A server on a fresh socket in a temporary directory.
final class EchoServer: Sendable {
    let server: TTRPCServer
    let path: String
    let directory: String

    init(peers: PeerCredentialPolicy = .sameUser, services: [TTRPCService] = [EchoService.make()]) throws {
        var template = Array("/tmp/ttrpc-test.XXXXXX".utf8CString)
        guard let base = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap(mkdtemp) }) else {
            throw TTRPCError(code: .internal, message: "mkdtemp failed")
        }
        directory = String(cString: base)
        path = directory + "/echo.sock"
        server = TTRPCServer(services: services, peers: peers)
        try server.listen(path: path)
    }

    func stop() async {
        await server.close()
        rmdir(directory)
    }
}

extension TestEchoRequest {
    static func text(_ text: String) -> TestEchoRequest { .with { $0.text = text } }
}
