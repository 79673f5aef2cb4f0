import CConsoleLinux

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Terminal settings of a descriptor that refers to a terminal (a pty
/// master or slave): termios(3) with tcgetattr/tcsetattr and the window
/// size with TIOCGWINSZ/TIOCSWINSZ. It does not own the descriptor.
public struct Terminal: Sendable {
    /// The terminal's descriptor; not owned, not closed by this value.
    public let descriptor: Int32

    /// Settings of a raw descriptor the caller keeps open.
    public init(_ descriptor: Int32) { self.descriptor = descriptor }
    /// Settings of a ``ConsoleDescriptor``, which must outlive this value.
    public init(_ descriptor: ConsoleDescriptor) { self.descriptor = descriptor.rawValue }

    /// tcgetattr(3).
    public func attributes() throws(ConsoleError) -> termios {
        var attributes = termios()
        guard tcgetattr(descriptor, &attributes) == 0 else { throw ConsoleError.last("tcgetattr") }
        return attributes
    }

    /// tcsetattr(3) with TCSANOW.
    public func setAttributes(_ attributes: termios) throws(ConsoleError) {
        var copy = attributes
        guard tcsetattr(descriptor, TCSANOW, &copy) == 0 else { throw ConsoleError.last("tcsetattr") }
    }

    /// Raw mode as cfmakeraw(3) sets it: no echo, no line editing, no
    /// signals from keys, no output processing. Returns the previous
    /// attributes, for ``setAttributes(_:)`` to restore.
    @discardableResult
    public func makeRaw() throws(ConsoleError) -> termios {
        let previous = try attributes()
        var raw = previous
        cconsole_make_raw(&raw)
        try setAttributes(raw)
        return previous
    }

    /// Turns local echo (ECHO) on or off.
    public func setEcho(_ on: Bool) throws(ConsoleError) {
        var current = try attributes()
        current.c_lflag = on ? current.c_lflag | cconsole_echo : current.c_lflag & ~cconsole_echo
        try setAttributes(current)
    }

    /// Whether ECHO is set in `c_lflag` (tcgetattr(3)): typed input is echoed back.
    public func isEchoing() throws(ConsoleError) -> Bool { try attributes().c_lflag & cconsole_echo != 0 }

    /// Whether output newlines become CR-LF (ONLCR). runc's consoles
    /// leave it on; a relay to a file usually wants it off.
    public func setOutputCRLF(_ on: Bool) throws(ConsoleError) {
        var current = try attributes()
        current.c_oflag = on ? current.c_oflag | cconsole_onlcr : current.c_oflag & ~cconsole_onlcr
        try setAttributes(current)
    }

    /// Whether ICANON is set in `c_lflag` (tcgetattr(3)): input is delivered line by line.
    public func isCanonical() throws(ConsoleError) -> Bool { try attributes().c_lflag & cconsole_icanon != 0 }

    /// TIOCGWINSZ.
    public func windowSize() throws(ConsoleError) -> WindowSize {
        var size = WindowSize(rows: 0, columns: 0)
        guard cconsole_get_window_size(descriptor, &size.rows, &size.columns, &size.xPixels, &size.yPixels) == 0 else {
            throw ConsoleError.last("TIOCGWINSZ")
        }
        return size
    }

    /// TIOCSWINSZ; the processes on the terminal get SIGWINCH.
    public func setWindowSize(_ size: WindowSize) throws(ConsoleError) {
        guard cconsole_set_window_size(descriptor, size.rows, size.columns, size.xPixels, size.yPixels) == 0 else {
            throw ConsoleError.last("TIOCSWINSZ")
        }
    }

    /// Gives this terminal the size of `other` (the user's terminal, say).
    public func copySize(from other: Terminal) throws(ConsoleError) {
        try setWindowSize(try other.windowSize())
    }
}
