import Foundation
import TestSupport

/// A CRI error: the gRPC status code's name (`NOT_FOUND`, `UNKNOWN`, ...)
/// and containerd's message.
struct CRIError: Error, CustomStringConvertible {
    var code: String
    var message: String
    var description: String { "\(code): \(message)" }
}

/// JSON objects as the CRI client speaks them (protobuf's JSON mapping,
/// field names as in api.proto).
typealias JSONObject = [String: Any]

/// The pod tests' CRI client: `CRI/cri_client.py` (Debian's python3-grpcio
/// with code generated from CRI's api.proto), run in the test's network
/// namespace so it reaches containerd's streaming server, and driven one
/// JSON line per request. Calls wait on a Dispatch thread, never on the
/// concurrency pool.
final class CRIClient: @unchecked Sendable {
    private let channel: LineChannel

    init(socket: String, networkNamespace: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("CRI/cri_client.py").path
        channel = try LineChannel(["/usr/bin/nsenter", "--net=/run/netns/\(networkNamespace)", "/usr/bin/python3", script, socket])
    }

    /// One RuntimeService (or ImageService) call; its response.
    @discardableResult
    func call(_ method: String, _ request: JSONObject = [:], service: String = "runtime", timeout: Double? = nil) async throws
        -> JSONObject
    {
        var command: JSONObject = ["call": method, "request": request, "service": service]
        if let timeout { command["timeout"] = timeout }
        let reply = try await exchange(command)
        if let error = reply["error"] as? JSONObject {
            throw CRIError(code: error["code"] as? String ?? "?", message: error["message"] as? String ?? "")
        }
        return reply["response"] as? JSONObject ?? [:]
    }

    /// Exec or Attach through the streaming server: stdout, stderr, exit code.
    func stream(_ kind: String, _ request: JSONObject, stdin: String = "", until: String? = nil) async throws
        -> (stdout: String, stderr: String, exitCode: Int)
    {
        var command: JSONObject = ["stream": kind, "request": request, "stdin": stdin]
        if let until { command["until"] = until }
        let reply = try await exchange(command)
        if let error = reply["error"] as? JSONObject {
            throw CRIError(code: error["code"] as? String ?? "?", message: error["message"] as? String ?? "")
        }
        return (reply["stdout"] as? String ?? "", reply["stderr"] as? String ?? "", reply["exit_code"] as? Int ?? -1)
    }

    /// `count` pods through their whole life, `concurrency` at a time; each
    /// pod's id and error (nil when every call succeeded).
    func cycle(sandbox: JSONObject, container: JSONObject?, count: Int, concurrency: Int) async throws -> [(pod: String?, error: String?)] {
        let reply = try await exchange([
            "cycle": ["sandbox": sandbox, "container": container.map { $0 as Any } ?? NSNull(), "count": count, "concurrency": concurrency]
        ])
        if let error = reply["error"] as? JSONObject {
            throw CRIError(code: error["code"] as? String ?? "?", message: error["message"] as? String ?? "")
        }
        return (reply["pods"] as? [JSONObject] ?? []).map { ($0["pod"] as? String, $0["error"] as? String) }
    }

    func stop() { channel.stop() }

    private func exchange(_ command: JSONObject) async throws -> JSONObject {
        let line = String(decoding: try JSONSerialization.data(withJSONObject: command), as: UTF8.self)
        let channel = self.channel
        let reply: String = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try channel.exchange(line) }) }
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? JSONObject else {
            throw CRIError(code: "CLIENT", message: "not a JSON object: \(reply)")
        }
        return object
    }
}
