/// The huge page sizes this kernel supports, named as cgroup files name them
/// (`2MB`, `1GB`), from `/sys/kernel/mm/hugepages/hugepages-<N>kB`.
public enum HugePageSizes {
    /// Read once per process: page sizes are fixed at boot.
    public static func supported() -> [String] { cached }

    private static let cached: [String] = {
        CgroupFile.entries(of: "/sys/kernel/mm/hugepages").compactMap { name -> String? in
            guard name.hasPrefix("hugepages-"), name.hasSuffix("kB"), let kB = UInt64(name.dropFirst(10).dropLast(2)) else { return nil }
            return sizeName(kilobytes: kB)
        }.sorted()
    }()

    /// 2048 → `2MB`, 1048576 → `1GB`, 64 → `64KB`.
    static func sizeName(kilobytes: UInt64) -> String {
        if kilobytes >= 1 << 20, kilobytes % (1 << 20) == 0 { return "\(kilobytes >> 20)GB" }
        if kilobytes >= 1 << 10, kilobytes % (1 << 10) == 0 { return "\(kilobytes >> 10)MB" }
        return "\(kilobytes)KB"
    }
}
