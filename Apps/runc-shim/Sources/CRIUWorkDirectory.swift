#if canImport(Glibc)
    import Glibc
#endif

/// The directory CRIU works in during a checkpoint (its `dump.log`): made
/// by the shim when containerd names none, removed afterwards, its log
/// kept beside the bundle when the checkpoint fails, as the Go shim does.
enum CRIUWorkDirectory {
    /// mkdir(2), 0700; an existing directory is fine.
    static func create(_ path: String) {
        _ = mkdir(path, 0o700)
    }

    /// Copies CRIU's log byte for byte; nothing when it cannot be read.
    static func copyLog(_ source: String, to destination: String) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { return }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { write(output, $0.baseAddress.map { $0 + written }, count - written) }
                if result < 0, errno == EINTR { continue }
                guard result > 0 else { return }
                written += result
            }
        }
    }

    /// Removes the tree CRIU wrote (files and directories), as `rm -rf`.
    static func remove(_ path: String) {
        guard let directory = opendir(path) else {
            unlink(path)
            return
        }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            if entry.pointee.d_type == UInt8(DT_DIR) { remove(child) } else { unlink(child) }
        }
        closedir(directory)
        rmdir(path)
    }
}
