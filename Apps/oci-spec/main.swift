// oci-spec: validate, format and report OCI runtime-spec documents.
//
//   oci-spec validate [--kind config|state|features] FILE|-
//   oci-spec format [--compact] [--kind config|state|features] [FILE|-]
//   oci-spec features
//
// Exit status: 0 success, 1 problems found (validate), 2 usage or input error.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

let exitCode = OCISpecCommand.run(Array(CommandLine.arguments.dropFirst()))
exit(exitCode)
