import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension ProcessSpawn {
    /// Where one of the child's stdin, stdout and stderr comes from.
    package enum Stream: Sendable {
        /// Ours, the same number.
        case inherit
        /// This descriptor of ours (the caller keeps it).
        case descriptor(Int32)
        /// /dev/null.
        case null
        /// A new pipe (pipe2 O_CLOEXEC); the caller gets our end.
        case pipe
    }

    /// A started child and our ends of its `.pipe` streams, which the
    /// caller owns and closes.
    package struct Launched: Sendable {
        package var pid: pid_t
        package var stdin: Int32?
        package var stdout: Int32?
        package var stderr: Int32?
    }

    /// Why a launch failed: the step and its errno.
    package struct LaunchFailure: Error, Sendable {
        /// "open /dev/null", "pipe2" or "posix_spawn".
        package var operation: String
        package var errno: Errno
    }

    /// Starts the program with its stdin, stdout and stderr as `streams`
    /// say, and `extra` as its descriptors 3, 4, …. Nothing is left open on
    /// failure.
    package static func launch(
        executable: String, arguments: [String], environment: [String]?, directory: String?,
        streams: (stdin: Stream, stdout: Stream, stderr: Stream), extra: [Int32] = [], grouping: Grouping = .inherit
    ) throws(LaunchFailure) -> Launched {
        var childEnds: [Int32] = []  // and /dev/null: closed once the child has them
        var ours: [Int32?] = [nil, nil, nil]
        defer { for fd in childEnds { close(fd) } }
        func fail(_ operation: String, _ error: Errno) -> LaunchFailure {
            for fd in ours.compactMap({ $0 }) { close(fd) }
            return LaunchFailure(operation: operation, errno: error)
        }
        var map: [Int32] = []
        for (index, stream) in [streams.stdin, streams.stdout, streams.stderr].enumerated() {
            switch stream {
            case .inherit:
                map.append(Int32(index))
            case .descriptor(let fd):
                map.append(fd)
            case .null:
                let fd = open("/dev/null", O_RDWR | O_CLOEXEC)
                guard fd >= 0 else { throw fail("open /dev/null", Errno(rawValue: Glibc.errno)) }
                childEnds.append(fd)
                map.append(fd)
            case .pipe:
                let ends: (read: Int32, write: Int32)
                do {
                    ends = try OwnedDescriptor.pipe().take()
                } catch {
                    throw fail("pipe2", error)
                }
                let (child, parent) = index == 0 ? (ends.read, ends.write) : (ends.write, ends.read)
                childEnds.append(child)
                ours[index] = parent
                map.append(child)
            }
        }
        let request = ProcessSpawn(
            executable: executable, arguments: arguments, environment: environment, directory: directory,
            descriptors: map + extra, grouping: grouping)
        do {
            let pid = try request.run()
            return Launched(pid: pid, stdin: ours[0], stdout: ours[1], stderr: ours[2])
        } catch {
            throw fail("posix_spawn", error)
        }
    }
}
