/// One mount: what containerd's Mount message and an OCI `mounts` entry
/// describe.
public struct FilesystemMount: Hashable, Sendable {
    /// The filesystem type (`overlay`, `tmpfs`, `bind`…).
    public var type: String
    /// A device, a directory (bind), or a placeholder (`tmpfs`, `overlay`).
    public var source: String
    /// Where it is mounted.
    public var target: String
    /// fstab-style options.
    public var options: [String]

    /// A mount of `source` (a device, a directory for `bind`, or a name such as `overlay`) of filesystem `type` on `target`, with fstab-style options (`ro`, `bind`, `lowerdir=…`).
    public init(type: String, source: String, target: String, options: [String] = []) {
        self.type = type
        self.source = source
        self.target = target
        self.options = options
    }

    /// The options, split for mount(2).
    public var parsedOptions: MountOptions { MountOptions(options) }
}
