import SwiftProtobuf
import TTRPC

/// containerd's runtime options for runc (`containerd.runc.v1.Options`),
/// arriving as a google.protobuf.Any in Create and on the shim's stdin.
enum RuntimeOptions {
    static func decode(_ any: Google_Protobuf_Any) throws -> RuncOptions {
        guard !any.typeURL.isEmpty || !any.value.isEmpty else { return RuncOptions() }
        let name = any.typeURL.split(separator: "/").last.map(String.init) ?? any.typeURL
        guard name == RuncOptions.protoMessageName || name == "containerd.linux.runc.RuncOptions" else {
            throw TTRPCFailure.failed("unsupported runtime options \(any.typeURL)")
        }
        do {
            return try RuncOptions(serializedBytes: any.value)
        } catch {
            throw TTRPCFailure.failed("cannot decode runtime options: \(error)")
        }
    }

    /// The options on stdin of `start`: an Any, possibly empty.
    static func decode(stdin bytes: [UInt8]) -> RuncOptions {
        guard !bytes.isEmpty, let any = try? Google_Protobuf_Any(serializedBytes: bytes) else { return RuncOptions() }
        return (try? decode(any)) ?? RuncOptions()
    }
}
