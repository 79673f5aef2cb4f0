// ttrpc-call: call a method of a ttrpc server and print the reply as JSON.
// See README.md.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes a line to stderr.
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// The arguments after the program name.
func arguments(_ all: [String]) -> [String] { Array(all.dropFirst()) }

/// Runs the command line and returns the exit status.
func main() async -> Int32 {
    do {
        let arguments = try Arguments.parse(arguments(CommandLine.arguments))
        if arguments.help {
            print(Arguments.usage)
            return 0
        }
        var pool = DescriptorPool()
        try pool.add(serializedSet: ContainerdProtoset.bytes, origin: "the built-in containerd descriptor set")
        for path in arguments.protosets { try pool.add(serializedSet: try Call.readBytes(path), origin: path) }
        if arguments.list {
            for name in pool.methodNames {
                if let method = pool.methods[name] { print("\(name)  (\(method.input)) returns (\(method.output))") }
            }
            return 0
        }
        if let name = arguments.describe {
            print(try Describe.fields(of: name, in: pool))
            return 0
        }
        print(try await Call.run(arguments, pool: pool).rendered())
        return 0
    } catch {
        printError("ttrpc-call: \(error)")
        if error.kind == .usage && arguments(CommandLine.arguments).isEmpty { printError(Arguments.usage) }
        return error.exitStatus
    }
}

exit(await main())
