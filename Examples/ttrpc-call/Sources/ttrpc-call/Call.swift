import TTRPC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One call: resolve the method, encode the request, send it with TTRPC's
/// client and decode the reply.
enum Call {
    static func run(_ arguments: Arguments, pool: DescriptorPool) async throws(CallError) -> JSON {
        guard let name = arguments.method, let socket = arguments.socket else { throw CallError.usage("nothing to call") }
        let requestText = try requestText(arguments.request)
        var metadata: TTRPCMetadata = ["containerd-namespace-ttrpc": arguments.namespace]
        for (key, value) in arguments.metadata { metadata.append(key, value) }

        let service: String
        let methodName: String
        let payload: [UInt8]
        let method = arguments.raw ? nil : try resolve(name, in: pool)
        if let method {
            guard !method.clientStreaming, !method.serverStreaming else {
                throw CallError.usage("\(method.service)/\(method.name) is a streaming method; only unary calls are supported")
            }
            service = method.service
            methodName = method.name
            payload = try MessageEncoder(pool: pool).encode(JSONInput.parse(requestText ?? "{}"), as: method.input, path: "request")
        } else {
            let parts = name.split(separator: "/")
            guard parts.count == 2 else { throw CallError.usage("with --raw, name the method as SERVICE/METHOD") }
            service = String(parts[0])
            methodName = String(parts[1])
            guard let bytes = Base64.decode(requestText ?? "") else { throw CallError.usage("with --raw, REQUEST is base64") }
            payload = bytes
        }

        let path = socket.hasPrefix("unix://") ? String(socket.dropFirst("unix://".count)) : socket
        let client: TTRPCClient
        do {
            client = try TTRPCClient(connectingTo: path)
        } catch {
            throw CallError.failed("cannot connect to \(path): \(error)")
        }
        defer { client.close() }
        let reply: [UInt8]
        do {
            reply = try await client.callRaw(service, methodName, payload: payload, metadata: metadata, timeout: arguments.timeout)
        } catch {
            throw CallError(kind: .status, message: "\(service)/\(methodName): \(error.code): \(error.message)")
        }
        guard let method else { return RawDecoder.message(reply) ?? .string(Base64.encode(reply)) }
        var decoder = MessageDecoder(pool: pool)
        decoder.emitDefaults = arguments.emitDefaults
        return try decoder.decode(reply, as: method.output, path: "reply")
    }

    /// The method `name` names: a full `service/method`, or the only one that ends with it.
    static func resolve(_ name: String, in pool: DescriptorPool) throws(CallError) -> DescriptorPool.Method {
        if let method = pool.methods[name] { return method }
        let matches = pool.methodNames.filter { $0.hasSuffix("." + name) || $0.hasSuffix("/" + name) }
        if matches.count == 1, let only = matches.first, let method = pool.methods[only] { return method }
        // Every runc shim serves task v2; v3 is the same API under containerd 2.x's name.
        let v2 = matches.filter { $0.hasPrefix("containerd.task.v2.Task/") }
        if v2.count == 1, matches.count == 2, matches.contains(where: { $0.hasPrefix("containerd.task.v3.Task/") }),
            let method = pool.methods[v2[0]]
        {
            return method
        }
        if matches.isEmpty {
            throw CallError.usage("no method \(name) in the descriptor sets (see --list; --raw calls methods without a description)")
        }
        throw CallError.usage("\(name) is ambiguous: \(matches.joined(separator: ", "))")
    }

    private static func requestText(_ argument: String?) throws(CallError) -> String? {
        guard let argument else { return nil }
        if argument == "-" { return String(decoding: try readAll(descriptor: 0, origin: "stdin"), as: UTF8.self) }
        if argument.hasPrefix("@") { return try readFile(String(argument.dropFirst())) }
        return argument
    }

    /// The contents of a file, as text.
    static func readFile(_ path: String) throws(CallError) -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    /// The contents of a file.
    static func readBytes(_ path: String) throws(CallError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CallError.failed("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try readAll(descriptor: fd, origin: path)
    }

    private static func readAll(descriptor: Int32, origin: String) throws(CallError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw CallError.failed("cannot read \(origin): \(String(cString: strerror(errno)))")
            }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}
