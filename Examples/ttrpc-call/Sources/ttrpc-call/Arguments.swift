/// The command line of ttrpc-call.
struct Arguments {
    /// The server's socket: a path, or `unix://` followed by one.
    var socket: String?
    /// `service/method`, or a unique end of one (`v2.Task/State`).
    var method: String?
    /// The request as given: JSON text, `-` for stdin, `@file`; base64 with `--raw`.
    var request: String?
    /// containerd's namespace, sent as `containerd-namespace-ttrpc` metadata.
    var namespace = "default"
    var metadata: [(String, String)] = []
    var timeout: Duration = .seconds(10)
    /// Extra descriptor sets to load.
    var protosets: [String] = []
    var emitDefaults = false
    /// Send the request as raw bytes and show the reply without a description.
    var raw = false
    var list = false
    var describe: String?
    var help = false

    static let usage = """
        usage: ttrpc-call --socket PATH [options] SERVICE/METHOD [REQUEST]
               ttrpc-call [--protoset FILE]... --list
               ttrpc-call [--protoset FILE]... --describe MESSAGE

        Calls a unary method of a ttrpc server and prints the reply as JSON.
        REQUEST is JSON (default {}), - to read it from stdin, or @FILE.
        containerd's shim API (containerd.task.v2.Task and v3), its events
        service and cgroup metrics are built in; --protoset adds others.

          -s, --socket PATH        the server's unix socket (unix:// accepted)
          -n, --namespace NS       containerd namespace metadata (default: default)
          -m, --metadata KEY=VALUE more request metadata (repeatable)
          -t, --timeout SECONDS    deadline of the call (default: 10)
              --protoset FILE      a descriptor set from protoc --descriptor_set_out --include_imports
              --emit-defaults      also print fields the reply leaves at their zero value
              --raw                REQUEST is the payload in base64; print the reply undecoded
              --list               list the methods this tool knows
              --describe MESSAGE   list a message's fields
          -h, --help               this text
        """

    static func parse(_ words: [String]) throws(CallError) -> Arguments {
        var arguments = Arguments()
        var positional: [String] = []
        var index = 0
        func value(_ flag: String) throws(CallError) -> String {
            index += 1
            guard index < words.count else { throw CallError.usage("\(flag) needs a value") }
            return words[index]
        }
        while index < words.count {
            let word = words[index]
            switch word {
            case "-s", "--socket": arguments.socket = try value(word)
            case "-n", "--namespace": arguments.namespace = try value(word)
            case "-m", "--metadata":
                let pair = try value(word)
                guard let equals = pair.firstIndex(of: "=") else { throw CallError.usage("--metadata takes KEY=VALUE, not \(pair)") }
                arguments.metadata.append((String(pair[..<equals]), String(pair[pair.index(after: equals)...])))
            case "-t", "--timeout":
                let text = try value(word)
                guard let seconds = Double(text), seconds > 0 else { throw CallError.usage("--timeout takes a positive number of seconds") }
                arguments.timeout = .milliseconds(Int64(seconds * 1000))
            case "--protoset": arguments.protosets.append(try value(word))
            case "--emit-defaults": arguments.emitDefaults = true
            case "--raw": arguments.raw = true
            case "--list": arguments.list = true
            case "--describe": arguments.describe = try value(word)
            case "-h", "--help": arguments.help = true
            default:
                if word.hasPrefix("-") && word != "-" { throw CallError.usage("unknown option \(word)") }
                positional.append(word)
            }
            index += 1
        }
        if arguments.help || arguments.list || arguments.describe != nil { return arguments }
        guard positional.count >= 1, positional.count <= 2 else { throw CallError.usage("give SERVICE/METHOD and at most one REQUEST") }
        arguments.method = positional[0]
        arguments.request = positional.count == 2 ? positional[1] : nil
        guard arguments.socket != nil else { throw CallError.usage("--socket is required") }
        return arguments
    }
}
