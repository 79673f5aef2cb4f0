import CConsoleLinux

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A pseudo-terminal pair: the master from `/dev/ptmx` (posix_openpt,
/// grantpt, unlockpt) and its slave device `/dev/pts/N`. Both descriptors
/// are close-on-exec and owned: they close with the value.
public final class Pty: Sendable {
    /// The master, from `/dev/ptmx`: read it to get what the slave's processes write, write it to type into them.
    public let master: ConsoleDescriptor
    /// The slave's path (ptsname_r), such as `/dev/pts/3`.
    public let slavePath: String
    /// The slave, opened with O_NOCTTY.
    public let slave: ConsoleDescriptor

    /// Opens a new pair.
    public init() throws(ConsoleError) {
        var name = [CChar](repeating: 0, count: 128)
        let fd = cconsole_open_pty(&name, name.count)
        guard fd >= 0 else { throw ConsoleError.last("open", path: "/dev/ptmx") }
        master = ConsoleDescriptor(taking: fd)
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let slaveFD = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slaveFD >= 0 else { throw ConsoleError.last("open", path: slavePath) }
        slave = ConsoleDescriptor(taking: slaveFD)
    }

    /// The master's termios and window size (the descriptor stays owned by this pair).
    public var masterTerminal: Terminal { Terminal(master) }
    /// The slave's termios and window size (the descriptor stays owned by this pair).
    public var slaveTerminal: Terminal { Terminal(slave) }

    /// Closes both ends now.
    public func close() {
        slave.close()
        master.close()
    }
}
