/// The conversions between OCI's v1-shaped values and cgroup2's interface
/// files, with the arithmetic runc and crun use, so a container gets the
/// same limits whichever runtime set them.
public enum ResourceConversion {
    /// `cpu.shares` (2…262144) to `cpu.weight` (1…10000): the range is
    /// mapped linearly, 2 to 1, 1024 to 39, 262144 to 10000. 0 means unset.
    public static func cpuWeight(fromShares shares: UInt64) -> UInt64? {
        guard shares != 0 else { return nil }
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }

    /// `blkio.weight` (10…1000) to `io.weight` (1…10000). 0 means unset.
    public static func ioWeight(fromBlkioWeight weight: UInt16) -> UInt64? {
        guard weight != 0 else { return nil }
        let clamped = UInt64(min(max(weight, 10), 1000))
        return 1 + (clamped - 10) * 9999 / 990
    }

    /// OCI's `swap` (memory plus swap) to cgroup2's `memory.swap.max`
    /// (swap alone). -1 is unlimited; 0 leaves it unset, except that an
    /// unlimited memory limit with no swap given also makes swap unlimited,
    /// as v1 does. A swap limit needs a memory limit no larger than it.
    public static func swapMax(swap: Int64?, limit: Int64?) throws(CgroupError) -> String? {
        let swap = swap ?? 0
        let memory = limit ?? 0
        if memory == -1 && swap == 0 { return "max" }
        if swap == -1 { return "max" }
        if swap == 0 { return nil }
        guard memory > 0 else {
            throw CgroupError(
                .invalidValue, operation: "convert memory.swap", value: "\(swap)", detail: "a swap limit needs a memory limit")
        }
        guard swap >= memory else {
            throw CgroupError(
                .invalidValue, operation: "convert memory.swap", value: "\(swap)",
                detail: "memory+swap (\(swap)) is below the memory limit (\(memory))")
        }
        return "\(swap - memory)"
    }

    /// A byte limit as cgroup2 writes it: `max` for -1.
    static func v2Limit(_ value: Int64) -> String {
        value == -1 ? "max" : "\(value)"
    }
}
