/// The command line containerd gives a shim, in Go's flag syntax: single
/// dash, `-name value` or `-name=value`, booleans without a value, the action
/// (`start`, `delete`, or none to serve) as the first positional argument.
struct ShimFlags: Sendable {
    var namespace = ""
    var id = ""
    var address = ""
    var publishBinary = "containerd"
    var bundle = ""
    var socket = ""
    var debug = false
    var version = false
    /// `-info`: print the RuntimeInfo protobuf and exit (containerd 2.x).
    var info = false
    var action: String?
    /// Set by the binary, not the command line.
    var flavor = ShimFlavor.v1

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> ShimFlags {
        var flags = ShimFlags()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-" else {
                if flags.action == nil { flags.action = argument }
                continue
            }
            var name = String(argument.drop { $0 == "-" })
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            switch name {
            case "debug": flags.debug = value.map { $0 != "false" } ?? true
            case "v": flags.version = value.map { $0 != "false" } ?? true
            case "info": flags.info = value.map { $0 != "false" } ?? true
            case "namespace", "id", "address", "publish-binary", "bundle", "socket":
                if value == nil {
                    guard index < arguments.count else { throw UsageError(description: "flag needs an argument: -\(name)") }
                    value = arguments[index]
                    index += 1
                }
                let text = value ?? ""
                switch name {
                case "namespace": flags.namespace = text
                case "id": flags.id = text
                case "address": flags.address = text
                case "publish-binary": flags.publishBinary = text
                case "bundle": flags.bundle = text
                default: flags.socket = text
                }
            default:
                throw UsageError(description: "flag provided but not defined: -\(name)")
            }
        }
        return flags
    }
}
