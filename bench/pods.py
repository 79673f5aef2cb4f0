#!/usr/bin/python3
"""Pods through containerd's CRI on two runc.v2 shims side by side, one
containerd: the time to a running pod (RunPodSandbox, then two containers
created and started), ExecSync latency, and each pod's shim once idle
(private and PSS memory, threads). Rounds alternate between the shims.

  pods.py --containerd DIR_WITH_CONTAINERD_AND_CTR --shim go=PATH --shim ours=PATH \
      --pods 10 --execs 30

The CRI client is the pod tests' (Tests/PodTests/CRI). containerd runs in a
network namespace made for the run, with CNI's bridge inside it; root,
state, runc state and pod cgroups are the run's own and removed afterwards.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CRI = os.path.join(HERE, "..", "Tests", "PodTests", "CRI")
sys.path.insert(0, CRI)
import cri_client  # noqa: E402

PAUSE, BUSYBOX = "localhost/swift-bench/pause:1", "localhost/swift-bench/busybox:1"


def run(*args, **kwargs):
    return subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)


def build_images(work):
    os.makedirs(f"{work}/images/pause", exist_ok=True)
    run("cc", "-static", "-Os", "-s", "-o", f"{work}/images/pause/pause", os.path.join(CRI, "..", "Pause", "pause.c"))
    rootfs = f"{work}/images/busybox"
    for directory in ("bin", "proc", "sys", "dev", "tmp", "etc"):
        os.makedirs(f"{rootfs}/{directory}", exist_ok=True)
    shutil.copy("/bin/busybox", f"{rootfs}/bin/busybox")
    for applet in subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True).stdout.split():
        if applet != "busybox":
            os.symlink("busybox", f"{rootfs}/bin/{applet}")
    packer = os.path.join(CRI, "oci_image.py")
    run(sys.executable, packer, "--name", PAUSE, "--rootfs", f"{work}/images/pause", "--entrypoint", '["/pause"]',
        "--output", f"{work}/pause.tar")
    run(sys.executable, packer, "--name", BUSYBOX, "--rootfs", rootfs, "--cmd", '["sh"]', "--output", f"{work}/busybox.tar")


def config(work, shims, version3):
    handlers = ""
    plugin = '"io.containerd.cri.v1.runtime"' if version3 else '"io.containerd.grpc.v1.cri"'
    for name, path in shims:
        handlers += f"""
    [plugins.{plugin}.containerd.runtimes.{name}]
      runtime_type = "io.containerd.runc.v2"
      runtime_path = "{path}"
      [plugins.{plugin}.containerd.runtimes.{name}.options]
        Root = "{work}/runc"
"""
    common = f"""root = "{work}/root"
state = "{work}/state"
disabled_plugins = ["io.containerd.nri.v1.nri"]
[grpc]
  address = "{work}/c.sock"
[ttrpc]
  address = "{work}/c.sock.ttrpc"
"""
    if version3:
        return f"""version = 3
{common}
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "{PAUSE}"
[plugins.{plugin}]
  enable_selinux = false
  disable_apparmor = true
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins.{plugin}.containerd]
    default_runtime_name = "{shims[0][0]}"
{handlers}
  [plugins.{plugin}.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "{work}/net.d"
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
"""
    return f"""version = 2
{common}
[plugins.{plugin}]
  sandbox_image = "{PAUSE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins.{plugin}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "{shims[0][0]}"
{handlers}
  [plugins.{plugin}.cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{work}/net.d"
"""


def footprint(pid):
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0].rstrip(":") in ("Private_Clean", "Private_Dirty", "Pss", "Rss"):
                values[parts[0].rstrip(":")] = int(parts[1])
    with open(f"/proc/{pid}/status") as f:
        threads = next(int(line.split()[1]) for line in f if line.startswith("Threads:"))
    return values["Private_Clean"] + values["Private_Dirty"], values["Pss"], threads


def shims_of(work):
    """Shim processes serving this run's containerd: {group id: pid}."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if f"{work}/c.sock" in argv and "-id" in argv and argv[0].endswith("containerd-shim-runc-v2"):
            found[argv[argv.index("-id") + 1]] = int(entry)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--containerd", required=True, help="directory with containerd and ctr")
    parser.add_argument("--version3", action="store_true", help="containerd 2.x configuration")
    parser.add_argument("--shim", action="append", required=True, help="name=path")
    parser.add_argument("--pods", type=int, default=10)
    parser.add_argument("--execs", type=int, default=30)
    args = parser.parse_args()
    shims = [tuple(s.split("=", 1)) for s in args.shim]
    work = tempfile.mkdtemp(prefix="pods-bench.")
    tag = f"swift-pods-bench-{os.getpid()}"
    netns = tag
    containerd = None
    client = None
    pods = {}
    try:
        build_images(work)
        os.makedirs(f"{work}/net.d")
        with open(f"{work}/net.d/10-bench.conflist", "w") as f:
            f.write('{"cniVersion": "0.4.0", "name": "bench", "plugins": [{"type": "bridge", "bridge": "bench0", '
                    '"isGateway": true, "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": '
                    f'"10.89.0.0/16"}}]], "dataDir": "{work}/ipam"}}}}]}}')
        with open(f"{work}/config.toml", "w") as f:
            f.write(config(work, shims, args.version3))
        run("ip", "netns", "add", netns)
        run("ip", "-n", netns, "link", "set", "lo", "up")
        log = open(f"{work}/containerd.log", "w")
        containerd = subprocess.Popen(["nsenter", f"--net=/run/netns/{netns}", f"{args.containerd}/containerd",
                                       "--config", f"{work}/config.toml"], stdout=log, stderr=log)
        ctr = [f"{args.containerd}/ctr", "--address", f"{work}/c.sock", "--namespace", "k8s.io"]
        for _ in range(200):
            if os.path.exists(f"{work}/c.sock") and subprocess.run(ctr + ["version"], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        for archive in ("pause.tar", "busybox.tar"):
            run(*ctr, "images", "import", f"{work}/{archive}")
        client = cri_client.Client(f"{work}/c.sock", timeout=60)
        client.call("Version", {})

        def sandbox(name):
            return {"metadata": {"name": name, "uid": name, "namespace": "bench"}, "log_directory": f"{work}/logs/{name}",
                    "linux": {"cgroup_parent": f"/{tag}/{name}"}}

        pods = {name: [] for name, _ in shims}
        start_ms = {name: [] for name, _ in shims}
        for round_ in range(args.pods):
            order = shims if round_ % 2 == 0 else list(reversed(shims))
            for name, _ in order:
                config_ = sandbox(f"{name}-{round_}")
                began = time.monotonic()
                pod = client.call("RunPodSandbox", {"config": config_, "runtime_handler": name})["pod_sandbox_id"]
                containers = []
                for index in range(2):
                    created = client.call("CreateContainer", {
                        "pod_sandbox_id": pod, "sandbox_config": config_,
                        "config": {"metadata": {"name": f"c{index}"}, "image": {"image": BUSYBOX},
                                   "command": ["sleep", "1000000"], "log_path": f"c{index}.log"}})["container_id"]
                    client.call("StartContainer", {"container_id": created})
                    containers.append(created)
                start_ms[name].append((time.monotonic() - began) * 1000)
                pods[name].append((pod, containers))
        exec_ms = {name: [] for name, _ in shims}
        for round_ in range(args.execs):
            order = shims if round_ % 2 == 0 else list(reversed(shims))
            for name, _ in order:
                _, containers = pods[name][round_ % len(pods[name])]
                began = time.monotonic()
                reply = client.call("ExecSync", {"container_id": containers[0], "cmd": ["true"], "timeout": 30})
                exec_ms[name].append((time.monotonic() - began) * 1000)
                assert reply.get("exit_code", 0) == 0, reply
        time.sleep(5)  # every shim idle (ours trims after 2 s)
        rows = {}
        for name, path in shims:
            samples = []
            running = shims_of(work)
            for pod, _ in pods[name]:
                pid = running[pod]
                exe = os.readlink(f"/proc/{pid}/exe")
                if os.path.realpath(exe) != os.path.realpath(path):
                    sys.exit(f"pod {pod} of {name} runs {exe}, not {path}")
                samples.append(footprint(pid))
            rows[name] = {
                "start": statistics.median(start_ms[name]),
                "exec": statistics.median(exec_ms[name]),
                "private": statistics.mean(s[0] for s in samples),
                "pss": statistics.mean(s[1] for s in samples),
                "threads": statistics.mean(s[2] for s in samples),
                "max_threads": max(s[2] for s in samples),
            }
        names = [name for name, _ in shims]
        print(f"{'metric':48}" + "".join(f"{n:>10}" for n in names) + f"{'ratio':>8}")
        for key, label, fmt in [
            ("start", "RunPodSandbox + 2 containers started, median ms", "{:10.1f}"),
            ("exec", "ExecSync latency, median ms", "{:10.1f}"),
            ("private", "private kB per pod shim (clean + dirty)", "{:10.0f}"),
            ("pss", "PSS kB per pod shim", "{:10.0f}"),
            ("threads", "threads per pod shim (mean)", "{:10.1f}"),
            ("max_threads", "threads per pod shim (max)", "{:10.0f}"),
        ]:
            values = [rows[n][key] for n in names]
            ratio = values[-1] / values[0] if values[0] else float("nan")
            print(f"{label:48}" + "".join(fmt.format(v) for v in values) + f"{ratio:8.2f}")
        print(f"({args.pods} pods of pause + 2 containers per shim, {args.execs} ExecSync each, alternating; "
              f"ratio = {names[-1]} / {names[0]})")
    finally:
        for created in pods.values():
            for pod, _ in created:
                for method in ("StopPodSandbox", "RemovePodSandbox"):
                    try:
                        client.call(method, {"pod_sandbox_id": pod})
                    except Exception as error:  # noqa: BLE001 - cleanup goes on
                        print(f"cleanup: {method} {pod}: {error}", file=sys.stderr)
        for pid in shims_of(work).values():
            os.kill(pid, signal.SIGKILL)
        if containerd is not None:
            containerd.send_signal(signal.SIGTERM)
            try:
                containerd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                containerd.kill()
                containerd.wait()
        subprocess.run(["umount", "-R", f"{work}/root"], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", netns], stderr=subprocess.DEVNULL)
        for hierarchy in os.listdir("/sys/fs/cgroup"):
            top = f"/sys/fs/cgroup/{hierarchy}/{tag}"
            for directory, _, _ in sorted(os.walk(top), key=lambda entry: -len(entry[0])):
                try:
                    os.rmdir(directory)
                except OSError:
                    pass
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
