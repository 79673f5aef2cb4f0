import SwiftProtobuf

/// One method of a ttrpc service with its request and response message
/// types, so a server registers it and a client calls it with the types
/// checked by the compiler. `scripts/generate-ttrpc-methods.py` writes these
/// from the `service` blocks of .proto files.
///
/// ```swift
/// let hello = TTRPCMethod<HelloRequest, HelloResponse>(service: "example.v1.Greeter", name: "Hello")
/// service.unary(hello) { request, context in HelloResponse.with { $0.text = "hi" } }
/// let response = try await client.call(hello, request)
/// ```
public struct TTRPCMethod<Request: Message & Sendable, Response: Message & Sendable>: Sendable, Hashable {
    /// The fully qualified service name (`containerd.task.v2.Task`).
    public let service: String
    /// The method's name within the service (`Create`).
    public let name: String

    /// A method `name` of the service with the full protobuf name `service`.
    public init(service: String, name: String) {
        self.service = service
        self.name = name
    }

    /// The same method in another service with the same messages (a
    /// protocol served under two versions, like containerd's task API v2
    /// and v3).
    public func inService(_ service: String) -> TTRPCMethod {
        TTRPCMethod(service: service, name: name)
    }
}

extension TTRPCService {
    /// Registers a unary method by its descriptor. The method is served
    /// under this service's name, whatever service the descriptor names, so
    /// one descriptor serves a protocol published under several names.
    public mutating func unary<Request, Response>(
        _ method: TTRPCMethod<Request, Response>,
        _ handler: @escaping @Sendable (Request, TTRPCCallContext) async throws -> Response
    ) {
        unary(method.name, handler)
    }

    /// Registers a server-streaming method by its descriptor.
    public mutating func serverStreaming<Request, Response>(
        _ method: TTRPCMethod<Request, Response>,
        _ handler: @escaping @Sendable (Request, TTRPCStreamWriter<Response>, TTRPCCallContext) async throws -> Void
    ) {
        serverStreaming(method.name, handler)
    }

    /// Registers a client-streaming method by its descriptor.
    public mutating func clientStreaming<Request, Response>(
        _ method: TTRPCMethod<Request, Response>,
        _ handler: @escaping @Sendable (TTRPCStreamReader<Request>, TTRPCCallContext) async throws -> Response
    ) {
        clientStreaming(method.name, handler)
    }

    /// Registers a bidirectional method by its descriptor.
    public mutating func bidirectional<Request, Response>(
        _ method: TTRPCMethod<Request, Response>,
        _ handler:
            @escaping @Sendable (TTRPCStreamReader<Request>, TTRPCStreamWriter<Response>, TTRPCCallContext) async throws -> Void
    ) {
        bidirectional(method.name, handler)
    }
}

extension TTRPCClient {
    /// Calls a unary method by its descriptor.
    public func call<Request, Response>(
        _ method: TTRPCMethod<Request, Response>, _ request: Request, metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) async throws(TTRPCError) -> Response {
        try await call(method.service, method.name, request, as: Response.self, metadata: metadata, timeout: timeout)
    }

    /// Calls a server-streaming method by its descriptor.
    public func serverStream<Request, Response>(
        _ method: TTRPCMethod<Request, Response>, _ request: Request, metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) throws(TTRPCError) -> TTRPCStreamReader<Response> {
        try serverStream(method.service, method.name, request, as: Response.self, metadata: metadata, timeout: timeout)
    }

    /// Opens a client-streaming call by its descriptor.
    public func clientStream<Request, Response>(
        _ method: TTRPCMethod<Request, Response>, metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) -> TTRPCClientStreamingCall<Request, Response> {
        clientStream(method.service, method.name, as: (Request.self, Response.self), metadata: metadata, timeout: timeout)
    }

    /// Opens a bidirectional call by its descriptor.
    public func bidirectionalStream<Request, Response>(
        _ method: TTRPCMethod<Request, Response>, metadata: TTRPCMetadata = [:], timeout: Duration? = nil
    ) -> TTRPCBidirectionalCall<Request, Response> {
        bidirectionalStream(method.service, method.name, as: (Request.self, Response.self), metadata: metadata, timeout: timeout)
    }
}
