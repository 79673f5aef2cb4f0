import OCISpec
import Testing

@Suite struct SpecEditingTests {
    @Test func argsAndEnv() {
        var spec = Spec()
        spec.setArgs(["/bin/echo", "hi"])
        #expect(spec.process?.args == ["/bin/echo", "hi"])
        #expect(spec.process?.cwd == "/")
        spec.setEnv("PATH", "/bin")
        spec.setEnv("TERM", "xterm")
        spec.setEnv("PATH", "/usr/bin:/bin")
        #expect(spec.process?.env == ["PATH=/usr/bin:/bin", "TERM=xterm"])
        #expect(spec.env("PATH") == "/usr/bin:/bin")
        #expect(spec.env("PAT") == nil)
        spec.removeEnv("TERM")
        #expect(spec.process?.env == ["PATH=/usr/bin:/bin"])
    }

    @Test func mountsReplaceByDestination() {
        var spec = Spec()
        spec.addMount(Mount(destination: "/data", type: "bind", source: "/a", options: ["rbind"]))
        spec.addMount(Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs"))
        spec.addMount(Mount(destination: "/data", type: "bind", source: "/b", options: ["rbind", "ro"]))
        #expect(spec.mounts?.map(\.destination) == ["/data", "/tmp"])
        #expect(spec.mounts?.first?.source == "/b")
        #expect(spec.removeMount(destination: "/data") == 1)
        #expect(spec.mounts?.map(\.destination) == ["/tmp"])
    }

    @Test func namespacesAreUniqueByType() {
        var spec = Spec()
        spec.addNamespace(.pid)
        spec.addNamespace(.network)
        spec.addNamespace(.network, path: "/var/run/netns/blue")
        #expect(spec.linux?.namespaces == [LinuxNamespace(type: .pid), LinuxNamespace(type: .network, path: "/var/run/netns/blue")])
        spec.removeNamespace(.pid)
        #expect(spec.linux?.namespaces?.map(\.type) == [.network])
    }

    @Test func resourcesAndAnnotations() {
        var spec = Spec()
        spec.setResources(LinuxResources(memory: LinuxMemory(limit: 64 << 20), pids: LinuxPids(limit: 100)))
        #expect(spec.linux?.resources?.memory?.limit == 64 << 20)
        spec.setAnnotation("k", "v")
        #expect(spec.annotations == ["k": "v"])
    }
}
