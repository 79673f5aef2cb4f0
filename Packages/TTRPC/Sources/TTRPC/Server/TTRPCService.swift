import SwiftProtobuf

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A ttrpc service: its full name and its methods, each declared once with
/// its request and response message types.
///
/// ```swift
/// var service = TTRPCService(name: "example.v1.Greeter")
/// service.unary("Hello") { (request: HelloRequest, context) in
///     HelloResponse.with { $0.text = "hello \(request.name)" }
/// }
/// let server = TTRPCServer(services: [service])
/// try server.listen(path: "/run/example.sock")
/// ```
public struct TTRPCService: Sendable {
    /// The fully qualified service name, as clients send it.
    public let name: String
    var methods: [String: MethodHandler] = [:]

    /// A service with no methods yet, by its full protobuf name (`containerd.task.v2.Task`).
    public init(name: String) {
        self.name = name
    }

    /// The method names registered so far.
    public var methodNames: [String] { methods.keys.sorted() }

    /// A unary method: one request, one response.
    public mutating func unary<Request: Message & Sendable, Response: Message & Sendable>(
        _ method: String,
        _ handler: @escaping @Sendable (Request, TTRPCCallContext) async throws -> Response
    ) {
        methods[method] = .unary { payload, context in
            try await encode(handler(decode(Request.self, payload), context))
        }
    }

    /// A server-streaming method: one request, a stream of responses.
    public mutating func serverStreaming<Request: Message & Sendable, Response: Message & Sendable>(
        _ method: String,
        _ handler: @escaping @Sendable (Request, TTRPCStreamWriter<Response>, TTRPCCallContext) async throws -> Void
    ) {
        methods[method] = .stream(
            StreamHandler(clientStreams: false, serverStreams: true) { first, _, send, context in
                try await handler(decode(Request.self, first), TTRPCStreamWriter(sendRaw: send), context)
                return []
            })
    }

    /// A client-streaming method: a stream of requests, one response.
    public mutating func clientStreaming<Request: Message & Sendable, Response: Message & Sendable>(
        _ method: String,
        _ handler: @escaping @Sendable (TTRPCStreamReader<Request>, TTRPCCallContext) async throws -> Response
    ) {
        methods[method] = .stream(
            StreamHandler(clientStreams: true, serverStreams: false) { _, inbox, _, context in
                try await encode(handler(TTRPCStreamReader(raw: inbox.stream), context))
            })
    }

    /// A bidirectional method: streams both ways.
    public mutating func bidirectional<Request: Message & Sendable, Response: Message & Sendable>(
        _ method: String,
        _ handler:
            @escaping @Sendable (TTRPCStreamReader<Request>, TTRPCStreamWriter<Response>, TTRPCCallContext) async throws
            -> Void
    ) {
        methods[method] = .stream(
            StreamHandler(clientStreams: true, serverStreams: true) { _, inbox, send, context in
                try await handler(TTRPCStreamReader(raw: inbox.stream), TTRPCStreamWriter(sendRaw: send), context)
                return []
            })
    }

    /// A unary method on raw payload bytes, for proxies and tests.
    public mutating func rawUnary(
        _ method: String, _ handler: @escaping @Sendable ([UInt8], TTRPCCallContext) async throws -> [UInt8]
    ) {
        methods[method] = .unary { payload, context in try await handler(Array(payload), context) }
    }
}

/// How the server runs a method.
enum MethodHandler: Sendable {
    case unary(@Sendable (Data, TTRPCCallContext) async throws -> [UInt8])
    case stream(StreamHandler)
}

struct StreamHandler: Sendable {
    let clientStreams: Bool
    let serverStreams: Bool
    /// Runs the handler with the request frame's payload, the inbound data,
    /// and a way to send data frames; returns the final response payload.
    let run:
        @Sendable (Data, RawInbox, @escaping @Sendable ([UInt8]) async throws(TTRPCError) -> Void, TTRPCCallContext)
            async throws -> [UInt8]
}

private func decode<M: Message>(_ type: M.Type, _ payload: Data) throws(TTRPCError) -> M {
    do {
        return try M(serializedBytes: payload)
    } catch {
        throw TTRPCError(code: .internal, message: "ttrpc: error unmarshalling payload: \(error)")
    }
}

private func encode<M: Message>(_ message: M) throws(TTRPCError) -> [UInt8] {
    do {
        return try message.serializedBytes()
    } catch {
        throw TTRPCError(code: .internal, message: "ttrpc: error marshaling payload: \(error)")
    }
}
