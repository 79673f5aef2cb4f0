import OCISpec
import Runc
import SwiftProtobuf

// Data, the type protobuf's bytes fields have; SwiftProtobuf already links it.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `-info` (containerd 2.x asks at startup and before creating a container
/// with idmapped mounts): the runtime options arrive on stdin as a
/// serialized google.protobuf.Any (maybe empty); stdout gets a serialized
/// `containerd.types.RuntimeInfo`: the runtime's name, this shim's version,
/// the options given, and `runc features` as JSON in an Any.
enum InfoAction {
    /// The type URL containerd gives the OCI features report.
    static let featuresTypeURL = "types.containerd.io/opencontainers/runtime-spec/1/features/Features"

    static func run(_ flags: ShimFlags) async -> Int32 {
        let input = readAll(0)
        var info = CTDRuntimeInfo()
        info.name = flags.flavor.runtimeName
        info.version.version = RuncShimMain.version
        var options = RuncOptions()
        if !input.isEmpty {
            do {
                let any = try Google_Protobuf_Any(serializedBytes: input)
                options = try RuntimeOptions.decode(any)
                // As containerd names it: the message's full name, no prefix.
                info.options.typeURL = RuncOptions.protoMessageName
                info.options.value = try options.serializedBytes()
            } catch {
                printError("cannot read the runtime options on stdin: \(error)")
                return 1
            }
        }
        let runc = Runc(binary: options.binaryName.isEmpty ? "runc" : options.binaryName)
        // A runtime without `features` (older runc, youki) still gets an answer, without them.
        if let features = try? await runc.features(), let json = try? OCIJSON.encode(features, style: .compact) {
            info.features.typeURL = featuresTypeURL
            info.features.value = Data(json)
        }
        do {
            let bytes: [UInt8] = try info.serializedBytes()
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
                if count <= 0 { return 1 }
                written += count
            }
            return 0
        } catch {
            printError("cannot encode the runtime info: \(error)")
            return 1
        }
    }

    private static func printError(_ message: String) {
        let line = message + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
