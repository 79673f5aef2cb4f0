/// The command line of oci-run.
struct Options {
    var bundle = ""
    /// Replaces the bundle's `process.args` when given (after `--`).
    var command: [String] = []
    var id: String?
    /// nil: as the bundle's `process.terminal` says.
    var terminal: Bool?
    var memory: Int64?
    /// CPUs, as a fraction: 0.5 is half of one CPU.
    var cpus: Double?
    var pids: Int64?
    var printStats = false
    var runcRoot = "/run/oci-run/runc"
    var help = false

    static let usage = """
        usage: oci-run [options] BUNDLE [-- COMMAND [ARG...]]

        Runs the container of an OCI bundle in the foreground, without containerd,
        and exits with its exit status. The root filesystem is mounted as an
        overlay, so the bundle's files are never changed.

              --id ID          the container's id (default: oci-run-<pid>)
          -t, --tty            give the container a terminal (default: as the bundle says)
              --no-tty         use this process's stdin, stdout and stderr instead
          -m, --memory SIZE    memory limit: bytes, or a number with K, M or G
              --cpus N         CPU limit in CPUs (0.5: half of one)
              --pids N         limit on the number of tasks
              --stats          print the cgroup's usage to stderr when the container ends
              --root DIR       runc's state directory (default: /run/oci-run/runc)
          -h, --help           this text

        Ctrl-C and other signals sent to oci-run are passed to the container's
        first process; with --tty the terminal passes Ctrl-C itself.
        """

    static func parse(_ words: [String]) throws(RunError) -> Options {
        var options = Options()
        var index = 0
        func value(_ flag: String) throws(RunError) -> String {
            index += 1
            guard index < words.count else { throw RunError.usage("\(flag) needs a value") }
            return words[index]
        }
        var positional: [String] = []
        while index < words.count {
            let word = words[index]
            switch word {
            case "--":
                options.command = Array(words[(index + 1)...])
                index = words.count
                continue
            case "--id": options.id = try value(word)
            case "-t", "--tty": options.terminal = true
            case "--no-tty": options.terminal = false
            case "-m", "--memory": options.memory = try size(try value(word))
            case "--cpus":
                let text = try value(word)
                guard let cpus = Double(text), cpus > 0 else { throw RunError.usage("--cpus takes a positive number, not \(text)") }
                options.cpus = cpus
            case "--pids":
                let text = try value(word)
                guard let pids = Int64(text), pids > 0 else { throw RunError.usage("--pids takes a positive number, not \(text)") }
                options.pids = pids
            case "--stats": options.printStats = true
            case "--root": options.runcRoot = try value(word)
            case "-h", "--help": options.help = true
            default:
                if word.hasPrefix("-") { throw RunError.usage("unknown option \(word)") }
                positional.append(word)
            }
            index += 1
        }
        if options.help { return options }
        guard positional.count == 1 else { throw RunError.usage("give one BUNDLE directory") }
        options.bundle = positional[0]
        if let id = options.id, id.isEmpty || id.contains("/") || id.hasPrefix(".") {
            throw RunError.usage("--id \(id): an id is a name without slashes")
        }
        return options
    }

    /// `64M` and the like, in bytes.
    static func size(_ text: String) throws(RunError) -> Int64 {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text.uppercased())
        var unit: Int64 = 1
        if let last = digits.last, let multiplier = units[last] {
            unit = multiplier
            digits = digits.dropLast()
        }
        guard let number = Int64(digits), number > 0, number <= Int64.max / unit else {
            throw RunError.usage("\(text) is not a size (bytes, or a number with K, M or G)")
        }
        return number * unit
    }
}
