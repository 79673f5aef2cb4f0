#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// NULL-terminated arrays of C strings, as execve(2) and posix_spawn(3)
/// take for argv and envp.
package enum CStringArray {
    /// Calls `body` with `strings` as a NULL-terminated array; the memory
    /// lives until `body` returns.
    package static func with<Result, Failure: Error>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return try pointers.withUnsafeBufferPointer { (buffer) throws(Failure) -> Result in
            guard let base = buffer.baseAddress else { preconditionFailure("an array with a terminator is never empty") }
            return try body(base)
        }
    }

    /// Like ``with(_:_:)``, with NULL for nil (an inherited environment).
    package static func with<Result, Failure: Error>(
        optional strings: [String]?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard let strings else { return try body(nil) }
        return try with(strings) { (array) throws(Failure) -> Result in try body(array) }
    }
}
