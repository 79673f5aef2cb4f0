extension Spec {
    /// The specification version this library models and writes by default:
    /// v1.2.0, with the v1.3 additions (memory policy, net devices, exec CPU
    /// affinity, optional pids limit, schemata lists) decoded and kept.
    public static let currentVersion = "1.2.0"
}
