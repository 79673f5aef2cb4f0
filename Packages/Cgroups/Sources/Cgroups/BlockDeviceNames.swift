/// Block device names by number, from `/proc/partitions`, for naming the
/// devices of blkio statistics (`/dev/sda`).
enum BlockDeviceNames {
    static func read() -> [UInt64: [UInt64: String]] {
        guard let text = try? CgroupFile.read("/proc/partitions") else { return [:] }
        var names: [UInt64: [UInt64: String]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count >= 4, let major = UInt64(fields[0]), let minor = UInt64(fields[1]) else { continue }
            if names[major]?[minor] == nil { names[major, default: [:]][minor] = "/dev/" + fields[3] }
        }
        return names
    }
}
