extension Hooks {
    /// The hook lists that are present, with their JSON names, in lifecycle order.
    public var all: [(name: String, hooks: [Hook])] {
        let lists: [(String, [Hook]?)] = [
            ("prestart", prestart), ("createRuntime", createRuntime), ("createContainer", createContainer),
            ("startContainer", startContainer), ("poststart", poststart), ("poststop", poststop),
        ]
        return lists.compactMap { name, hooks in hooks.map { (name, $0) } }
    }
}
