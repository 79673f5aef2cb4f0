#!/usr/bin/env python3
"""Where the milliseconds of one `ctr run --rm ... /bin/true` go, for two
shims side by side.

It listens to the kernel's process events (the proc connector: fork, exec
and exit of every process, with CLOCK_MONOTONIC nanosecond timestamps),
runs `ctr run --rm` with each shim in alternating rounds on one containerd,
recognises each run's processes by their command lines (ctr, the shim's
`start` and `delete` actions, `runc create|start|delete`, the container's
/bin/true) and prints the median of each phase per shim and their ratio.

  shim-phases.py --ctr "ctr --address A --namespace N" --rootfs DIR \
      --shim go=/usr/bin/containerd-shim-runc-v1 --shim ours=/path --rounds 30

With --exec --floor null=PATH, a shim that runs nothing (bench/go/null-shim)
takes its turn in the rounds too; only its ctr total is kept. That total
plus the last shim's `runc exec` is the floor: what `ctr task exec` would
take if that shim's own work cost nothing.
"""

import argparse
import os
import shlex
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_CN_MCAST_IGNORE = 2
PROC_EVENT_EXEC = 0x00000002
PROC_EVENT_EXIT = 0x80000000

NLMSG_HEADER = struct.Struct("=IHHII")  # len, type, flags, seq, pid
CN_MSG = struct.Struct("=IIIIHH")  # idx, val, seq, ack, len, flags
PROC_EVENT = struct.Struct("=IIQ")  # what, cpu, timestamp_ns
EXEC_DATA = struct.Struct("=II")  # pid, tgid
EXIT_DATA = struct.Struct("=IIII")  # pid, tgid, exit_code, exit_signal


class ProcessEvents:
    """Exec and exit events, with each exec's command line read at once."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
        self.sock.bind((os.getpid(), CN_IDX_PROC))
        self._control(PROC_CN_MCAST_LISTEN)
        self.lock = threading.Lock()
        self.execs = []  # (ns, tgid, argv)
        self.exits = {}  # tgid -> ns of its last exit
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _control(self, op):
        payload = struct.pack("=I", op)
        message = CN_MSG.pack(CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(payload), 0) + payload
        header = NLMSG_HEADER.pack(NLMSG_HEADER.size + len(message), 3, 0, 0, os.getpid())  # NLMSG_DONE
        self.sock.send(header + message)

    def _loop(self):
        while self.running:
            data = self.sock.recv(65536)
            offset = NLMSG_HEADER.size + CN_MSG.size
            if len(data) < offset + PROC_EVENT.size:
                continue
            what, _, stamp = PROC_EVENT.unpack_from(data, offset)
            body = offset + PROC_EVENT.size
            if what == PROC_EVENT_EXEC:
                pid, tgid = EXEC_DATA.unpack_from(data, body)
                try:
                    with open(f"/proc/{tgid}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")[:-1]
                except OSError:
                    argv = []
                with self.lock:
                    self.execs.append((stamp, tgid, [a.decode(errors="replace") for a in argv]))
            elif what == PROC_EVENT_EXIT:
                pid, tgid, _, _ = EXIT_DATA.unpack_from(data, body)
                if pid == tgid:
                    with self.lock:
                        self.exits[tgid] = stamp

    def window(self, start, end):
        """Execs in [start, end] and the exits known now."""
        with self.lock:
            return [e for e in self.execs if start <= e[0] <= end], dict(self.exits)


def first(execs, predicate, after=0):
    for stamp, tgid, argv in execs:
        if stamp > after and predicate(argv):
            return stamp, tgid
    return None


def phases(execs, exits, shim, run_id):
    """The phase durations (ms) of one run, or None when a process was missed."""

    def is_shim(argv):
        return argv[0] == shim or os.path.basename(argv[0]) == os.path.basename(shim)

    def runc(sub):
        return lambda a: os.path.basename(a[0]) == "runc" and sub in a and run_id in a

    marks = {
        "ctr": first(execs, lambda a: bool(a) and os.path.basename(a[0]) == "ctr" and run_id in a),
        "shim start": first(execs, lambda a: bool(a) and is_shim(a) and a[-1] == "start" and run_id in a),
        "runc create": first(execs, lambda a: bool(a) and runc("create")(a)),
        "runc start": first(execs, lambda a: bool(a) and runc("start")(a)),
        "runc delete": first(execs, lambda a: bool(a) and runc("delete")(a)),
        "shim delete": first(execs, lambda a: bool(a) and is_shim(a) and a[-1] == "delete" and run_id in a),
    }
    if any(v is None for v in marks.values()):
        return None
    # The container's /bin/true, exec'd by runc init once runc start runs;
    # it may be gone before its command line can be read (then it reads empty).
    marks["init"] = first(execs, lambda a: a in ([], ["/bin/true"]), after=marks["runc start"][0])
    if marks["init"] is None:
        return None
    t = {name: (stamp, exits.get(tgid)) for name, (stamp, tgid) in marks.items()}
    if any(end is None for _, end in t.values()):
        return None
    ms = lambda a, b: (b - a) / 1e6
    return {
        "shim start (exec to exit)": ms(t["shim start"][0], t["shim start"][1]),
        "start exit to runc create": ms(t["shim start"][1], t["runc create"][0]),
        "runc create": ms(t["runc create"][0], t["runc create"][1]),
        "runc create exit to runc start": ms(t["runc create"][1], t["runc start"][0]),
        "runc start": ms(t["runc start"][0], t["runc start"][1]),
        "init exit to runc delete": ms(t["init"][1], t["runc delete"][0]),
        "runc delete": ms(t["runc delete"][0], t["runc delete"][1]),
        "runc delete exit to shim delete": ms(t["runc delete"][1], t["shim delete"][0]),
        "shim delete (exec to exit)": ms(t["shim delete"][0], t["shim delete"][1]),
        "shim delete exit to ctr exit": ms(t["shim delete"][1], t["ctr"][1]),
        "total (ctr exec to exit)": ms(t["ctr"][0], t["ctr"][1]),
    }


def exec_phases(execs, exits, run_id, floor=False):
    """The phase durations (ms) of one `ctr task exec`, or None when a process was missed.
    For the floor shim, which starts no runc, only ctr's total."""
    ctr = first(execs, lambda a: bool(a) and os.path.basename(a[0]) == "ctr" and run_id in a)
    if floor and ctr is not None and exits.get(ctr[1]) is not None:
        return {"total (ctr exec to exit)": (exits[ctr[1]] - ctr[0]) / 1e6}
    runc = first(execs, lambda a: bool(a) and os.path.basename(a[0]) == "runc" and "exec" in a)
    if ctr is None or runc is None:
        return None
    process = first(execs, lambda a: a in ([], ["/bin/true"]), after=runc[0])
    if process is None:
        return None
    t = {name: (stamp, exits.get(tgid)) for name, (stamp, tgid) in
         {"ctr": ctr, "runc exec": runc, "process": process}.items()}
    if any(end is None for _, end in t.values()):
        return None
    ms = lambda a, b: (b - a) / 1e6
    return {
        "ctr exec to runc exec": ms(t["ctr"][0], t["runc exec"][0]),
        "runc exec (exec to exit)": ms(t["runc exec"][0], t["runc exec"][1]),
        "process exit to ctr exit": ms(t["process"][1], t["ctr"][1]),
        "total (ctr exec to exit)": ms(t["ctr"][0], t["ctr"][1]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ctr", required=True)
    parser.add_argument("--rootfs", required=True)
    parser.add_argument("--shim", action="append", required=True, help="name=path")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--exec", action="store_true", help="time `ctr task exec` into a running task instead")
    parser.add_argument("--floor", help="name=path of a shim that runs nothing (with --exec)")
    args = parser.parse_args()
    shims = [tuple(s.split("=", 1)) for s in args.shim]
    floor = tuple(args.floor.split("=", 1)) if args.floor and args.exec else None
    measured_shims = shims
    shims = shims + ([floor] if floor else [])
    ctr = shlex.split(args.ctr)
    events = ProcessEvents()
    results = {name: [] for name, _ in shims}
    missed = {name: 0 for name, _ in shims}
    tag = f"{os.getpid()}"
    if args.exec:
        for name, path in shims:
            subprocess.run(ctr + ["run", "-d", "--runtime", path, "--rootfs", args.rootfs, f"execs-{name}-{tag}",
                                  "/bin/sleep", "100000"], check=True, stdout=subprocess.DEVNULL)
    for round_ in range(args.rounds):
        order = shims if round_ % 2 == 0 else list(reversed(shims))
        for name, path in order:
            run_id = f"phase-{name}-{round_}-{tag}"
            start = time.monotonic_ns()
            if args.exec:
                subprocess.run(ctr + ["task", "exec", "--exec-id", run_id, f"execs-{name}-{tag}", "/bin/true"],
                               check=True, stdout=subprocess.DEVNULL)
            else:
                subprocess.run(ctr + ["run", "--rm", "--runtime", path, "--rootfs", args.rootfs, run_id, "/bin/true"],
                               check=True, stdout=subprocess.DEVNULL)
            time.sleep(0.05)  # the last exit events arrive
            execs, exits = events.window(start, time.monotonic_ns())
            is_floor = floor is not None and name == floor[0]
            measured = exec_phases(execs, exits, run_id, is_floor) if args.exec else phases(execs, exits, path, run_id)
            if measured is None:
                missed[name] += 1
            else:
                results[name].append(measured)
            time.sleep(0.1)
    events.running = False
    if args.exec:
        for name, _ in shims:
            subprocess.run(ctr + ["task", "kill", "-s", "SIGKILL", f"execs-{name}-{tag}"], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        for name, _ in shims:
            subprocess.run(ctr + ["task", "delete", f"execs-{name}-{tag}"], stdout=subprocess.DEVNULL)
            subprocess.run(ctr + ["container", "delete", f"execs-{name}-{tag}"], stdout=subprocess.DEVNULL)
    names = [name for name, _ in measured_shims]
    keys = list(results[names[0]][0].keys()) if results[names[0]] else []
    print(f"{'phase (median ms)':36}" + "".join(f"{n:>10}" for n in names) + f"{'ratio':>8}")
    for key in keys:
        values = [statistics.median(r[key] for r in results[n]) for n in names]
        ratio = values[-1] / values[0] if len(values) >= 2 and values[0] > 0 else float("nan")
        print(f"{key:36}" + "".join(f"{v:10.2f}" for v in values) + f"{ratio:8.2f}")
    print(f"(rounds measured: " + ", ".join(f"{n} {len(results[n])}" for n in names)
          + f"; ratio = {names[-1]} / {names[0]})")
    if floor and results[floor[0]] and results[names[-1]]:
        null_total = statistics.median(r["total (ctr exec to exit)"] for r in results[floor[0]])
        runc_exec = statistics.median(r["runc exec (exec to exit)"] for r in results[names[-1]])
        reference = statistics.median(r["total (ctr exec to exit)"] for r in results[names[0]])
        print(f"{'ctr exec to exit, ' + floor[0] + ' shim':36}{null_total:10.2f}  ({len(results[floor[0]])} rounds)")
        print(f"{'floor (that + ' + names[-1] + ' runc exec)':36}{null_total + runc_exec:10.2f}  "
              f"= {(null_total + runc_exec) / reference:.2f} of {names[0]}")
    if any(missed.values()):
        print("missed (a process was not seen): " + ", ".join(f"{n} {missed[n]}" for n in names), file=sys.stderr)


if __name__ == "__main__":
    main()
