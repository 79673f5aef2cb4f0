/// Parsers for the list syntaxes the kernel accepts in cpuset files and
/// set_mempolicy node masks (`0-3,7`), and for hugepage sizes (`2MB`).
enum ListSyntax {
    /// The numbers of a list like `0-3,7`, or nil when it is malformed.
    static func numbers(in list: String) -> [Int]? {
        guard !list.isEmpty else { return nil }
        var result: [Int] = []
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                let low = Int(bounds[0]), low >= 0
            else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low, high - low < 1 << 16 else { return nil }
            result += Array(low...high)
        }
        return result
    }

    /// Whether a hugepage size reads like `64KB`, `2MB` or `1GB`.
    static func isPageSize(_ text: String) -> Bool {
        let units = ["KB", "MB", "GB", "TB", "PB"]
        guard let unit = units.first(where: { text.hasSuffix($0) }) else { return false }
        let digits = text.dropLast(unit.count)
        return !digits.isEmpty && digits.allSatisfy(\.isNumber)
    }

    /// Whether a version reads as SemVer 2.0 (`1.2.0`, `1.0.2-dev`).
    static func isSemanticVersion(_ text: String) -> Bool {
        let core = text.prefix { $0 != "-" && $0 != "+" }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return false }
        let suffix = text.dropFirst(core.count)
        return suffix.isEmpty || (suffix.count > 1 && suffix.dropFirst().allSatisfy { $0.isLetter || $0.isNumber || ".-+".contains($0) })
    }
}
