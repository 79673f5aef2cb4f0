// Decodes and encodes a large config (containerd's spec with its default
// seccomp profile) many times and prints the time per operation.
//
//   ocispec-bench FILE [ITERATIONS]
//
// Output: one line per operation, `name iterations ns/op`.

import OCISpec
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func measure(_ name: String, _ iterations: Int, _ body: () throws -> Void) rethrows {
    for _ in 0..<max(1, iterations / 10) { try body() }  // warm up
    let start = now()
    for _ in 0..<iterations { try body() }
    let perOperation = Double(now() - start) / Double(iterations)
    print("\(name) \(iterations) \(Int(perOperation.rounded())) ns/op")
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: ocispec-bench FILE [ITERATIONS]")
    exit(2)
}
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 2000 : 2000
do {
    let bytes = try DocumentFile.read(FilePath(arguments[1]))
    let spec = try OCIJSON.decode(Spec.self, from: bytes)
    try measure("decode", iterations) { _ = try OCIJSON.decode(Spec.self, from: bytes) }
    try measure("encode", iterations) { _ = try OCIJSON.encode(spec, style: .compact) }
} catch {
    print("ocispec-bench: \(error)")
    exit(1)
}
