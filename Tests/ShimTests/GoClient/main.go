// A containerd client for the shim compatibility tests: it drives a task
// through containerd's own API (the Go client library and the raw task
// service), the way a real client does, and prints one JSON object with
// what each step returned. The tests run it against our shim and against
// Debian's Go shim and compare.
//
//	go-task-client -address SOCK -namespace NS -runtime SHIM -rootfs DIR SCENARIO ID
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/oci"
	"github.com/containerd/containerd/runtime/v2/runc/options"
	"github.com/containerd/typeurl"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"google.golang.org/grpc/status"
)

var (
	address       = flag.String("address", "", "containerd's socket")
	namespace     = flag.String("namespace", "", "containerd namespace")
	runtime       = flag.String("runtime", "", "the shim, by absolute path")
	rootfs        = flag.String("rootfs", "", "a root filesystem directory")
	checkpointRef = flag.String("checkpoint", "", "the checkpoint image a task is checkpointed to and restored from")
	command       = flag.String("command", "", "the shell command of a checkpointed or restored container")
	settle        = flag.Int("settle-ms", 1500, "how long a task runs before its checkpoint")
	terminal      = flag.Bool("terminal", false, "the checkpointed or restored task has a terminal")
	cgroupPath    = flag.String("shim-cgroup", "", "the cgroup the shim is asked to join (shim-cgroup)")
)

// result is what the scenario prints: step name to outcome.
type result map[string]interface{}

// outcome names an error by the gRPC code a client sees, or "ok".
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	code := status.Code(err).String()
	switch {
	case errdefs.IsNotFound(err):
		code = "NotFound"
	case errdefs.IsAlreadyExists(err):
		code = "AlreadyExists"
	case errdefs.IsFailedPrecondition(err):
		code = "FailedPrecondition"
	case errdefs.IsInvalidArgument(err):
		code = "InvalidArgument"
	case errdefs.IsNotImplemented(err):
		code = "Unimplemented"
	}
	return code + ": " + err.Error()
}

// code is the first word of an outcome.
func code(err error) string {
	return strings.SplitN(outcome(err), ":", 2)[0]
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	flag.Parse()
	if flag.NArg() != 2 {
		fail("usage: go-task-client [flags] SCENARIO ID")
	}
	scenario, id := flag.Arg(0), flag.Arg(1)
	client, err := containerd.New(*address)
	if err != nil {
		fail("connect: %v", err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(namespaces.WithNamespace(context.Background(), *namespace), 2*time.Minute)
	defer cancel()
	out := result{}
	switch scenario {
	case "exec-terminal":
		execTerminal(ctx, client, id, out)
	case "init-terminal":
		initTerminal(ctx, client, id, out, true)
	case "init-no-terminal":
		initTerminal(ctx, client, id, out, false)
	case "resize":
		resize(ctx, client, id, out)
	case "missing-runtime":
		missingRuntime(ctx, client, id, out)
	case "states":
		states(ctx, client, id, out)
	case "update":
		update(ctx, client, id, out)
	case "shim-cgroup":
		shimCgroup(ctx, client, id, out)
	case "checkpoint-to-image":
		checkpointToImage(ctx, client, id, out)
	case "restore-from-image":
		restoreFromImage(ctx, client, id, out)
	default:
		fail("unknown scenario %q", scenario)
	}
	encoded, _ := json.Marshal(out)
	fmt.Println(string(encoded))
}

// newContainer makes a container whose spec runs args on the test's rootfs.
func newContainer(ctx context.Context, client *containerd.Client, id string, runtimeOptions interface{}, opts ...oci.SpecOpts) containerd.Container {
	specOpts := append([]oci.SpecOpts{oci.WithRootFSPath(*rootfs)}, opts...)
	container, err := client.NewContainer(ctx, id, containerd.WithNewSpec(specOpts...), containerd.WithRuntime(*runtime, runtimeOptions))
	if err != nil {
		fail("new container: %v", err)
	}
	return container
}

// cleanUp kills and deletes whatever is left of the task and the container.
func cleanUp(ctx context.Context, container containerd.Container) {
	if task, err := container.Task(ctx, nil); err == nil {
		task.Kill(ctx, syscall.SIGKILL)
		if wait, err := task.Wait(ctx); err == nil {
			select {
			case <-wait:
			case <-time.After(10 * time.Second):
			}
		}
		task.Delete(ctx, containerd.WithProcessKill)
	}
	container.Delete(ctx)
}

// ttyLines is what `seq 1 n` prints through a terminal: \n becomes \r\n.
func ttyLines(n int) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d\r\n", i)
	}
	return b.Bytes()
}

// execTerminal: the request asks for a terminal while the process spec
// (copied from the container's, which has none) says terminal: false.
func execTerminal(ctx context.Context, client *containerd.Client, id string, out result) {
	container := newContainer(ctx, client, id, nil, oci.WithProcessArgs("/bin/sleep", "1000"))
	defer cleanUp(ctx, container)
	task, err := container.NewTask(ctx, cio.NullIO)
	if err != nil {
		fail("new task: %v", err)
	}
	if err := task.Start(ctx); err != nil {
		fail("start: %v", err)
	}
	spec, err := container.Spec(ctx)
	if err != nil {
		fail("spec: %v", err)
	}
	process := *spec.Process
	process.Terminal = false
	process.Args = []string{"/bin/sh", "-c", "seq 1 40000; exit 7"}
	// Read only after Delete, which waits for the client's copy to end.
	var stdout bytes.Buffer
	exec, err := task.Exec(ctx, "tty-exec", &process, cio.NewCreator(cio.WithStreams(nil, &stdout, nil), cio.WithTerminal))
	out["exec"] = outcome(err)
	if err != nil {
		return
	}
	wait, err := exec.Wait(ctx)
	if err != nil {
		fail("wait: %v", err)
	}
	err = exec.Start(ctx)
	out["start"] = outcome(err)
	if err != nil {
		exec.Delete(ctx)
		return
	}
	exitStatus := <-wait
	deleted, err := exec.Delete(ctx)
	out["delete"] = outcome(err)
	out["exitCode"] = exitStatus.ExitCode()
	if deleted != nil {
		out["deletedExitCode"] = deleted.ExitCode()
	}
	expected := ttyLines(40000)
	out["bytes"] = stdout.Len()
	out["expectedBytes"] = len(expected)
	out["complete"] = bytes.Equal(stdout.Bytes(), expected)
}

// initTerminal: Create's terminal flag differs from the bundle's spec.
func initTerminal(ctx context.Context, client *containerd.Client, id string, out result, requestTerminal bool) {
	specOpts := []oci.SpecOpts{oci.WithProcessArgs("/bin/sh", "-c", "seq 1 40000; exit 5")}
	if !requestTerminal {
		specOpts = append(specOpts, oci.WithTTY)
	}
	container := newContainer(ctx, client, id, nil, specOpts...)
	defer cleanUp(ctx, container)
	// Read only after Delete, which waits for the client's copy to end.
	var stdout bytes.Buffer
	opts := []cio.Opt{cio.WithStreams(nil, &stdout, &stdout)}
	if requestTerminal {
		opts = append(opts, cio.WithTerminal)
	}
	task, err := container.NewTask(ctx, cio.NewCreator(opts...))
	out["create"] = code(err)
	if err != nil {
		return
	}
	wait, err := task.Wait(ctx)
	if err != nil {
		fail("wait: %v", err)
	}
	err = task.Start(ctx)
	out["start"] = outcome(err)
	if err != nil {
		return
	}
	exitStatus := <-wait
	out["exitCode"] = exitStatus.ExitCode()
	if _, err := task.Delete(ctx); err != nil {
		out["delete"] = outcome(err)
	}
	expected := ttyLines(40000)
	out["bytes"] = stdout.Len()
	out["expectedBytes"] = len(expected)
	out["complete"] = bytes.Equal(stdout.Bytes(), expected)
}

// resize: ResizePty on an init and an exec that have no terminal.
func resize(ctx context.Context, client *containerd.Client, id string, out result) {
	container := newContainer(ctx, client, id, nil, oci.WithProcessArgs("/bin/sleep", "1000"))
	defer cleanUp(ctx, container)
	task, err := container.NewTask(ctx, cio.NullIO)
	if err != nil {
		fail("new task: %v", err)
	}
	out["initCreated"] = outcome(task.Resize(ctx, 132, 40))
	if err := task.Start(ctx); err != nil {
		fail("start: %v", err)
	}
	out["initRunning"] = outcome(task.Resize(ctx, 132, 40))
	spec, err := container.Spec(ctx)
	if err != nil {
		fail("spec: %v", err)
	}
	process := *spec.Process
	process.Args = []string{"/bin/sleep", "1000"}
	exec, err := task.Exec(ctx, "plain-exec", &process, cio.NullIO)
	if err != nil {
		fail("exec: %v", err)
	}
	out["execCreated"] = outcome(exec.Resize(ctx, 132, 40))
	if err := exec.Start(ctx); err != nil {
		fail("exec start: %v", err)
	}
	out["execRunning"] = outcome(exec.Resize(ctx, 132, 40))
}

// update: a running task's memory limit and CPU quota changed through the
// task service, then read back from its cgroup (v1 memory and cpu controllers).
func update(ctx context.Context, client *containerd.Client, id string, out result) {
	container := newContainer(ctx, client, id, nil, oci.WithProcessArgs("/bin/sleep", "1000"))
	defer cleanUp(ctx, container)
	task, err := container.NewTask(ctx, cio.NullIO)
	if err != nil {
		fail("new task: %v", err)
	}
	if err := task.Start(ctx); err != nil {
		fail("start: %v", err)
	}
	limit := int64(64 << 20)
	quota := int64(50000)
	period := uint64(100000)
	resources := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: &limit},
		CPU:    &specs.LinuxCPU{Quota: &quota, Period: &period},
	}
	out["update"] = outcome(task.Update(ctx, containerd.WithResources(resources)))
	cgroup := "/" + *namespace + "/" + id
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			return "unreadable: " + err.Error()
		}
		return strings.TrimSpace(string(data))
	}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		// cgroup v2 only: memory.max, and cpu.max's quota field.
		out["memoryLimit"] = read("/sys/fs/cgroup" + cgroup + "/memory.max")
		out["cpuQuota"] = strings.Fields(read("/sys/fs/cgroup"+cgroup+"/cpu.max") + " ")[0]
		return
	}
	out["memoryLimit"] = read("/sys/fs/cgroup/memory" + cgroup + "/memory.limit_in_bytes")
	out["cpuQuota"] = read("/sys/fs/cgroup/cpu" + cgroup + "/cpu.cfs_quota_us")
}

// taskIO: /dev/null stdio, or with -terminal a terminal whose output is discarded.
func taskIO() cio.Creator {
	if *terminal {
		return cio.NewCreator(cio.WithStreams(nil, io.Discard, nil), cio.WithTerminal)
	}
	return cio.NullIO
}

// shimCgroup: a task created (not started) whose runtime options ask the
// shim to join the cgroup -shim-cgroup; left for the test to inspect.
func shimCgroup(ctx context.Context, client *containerd.Client, id string, out result) {
	container := newContainer(ctx, client, id, &options.Options{ShimCgroup: *cgroupPath}, oci.WithProcessArgs("/bin/sleep", "1000"))
	_, err := container.NewTask(ctx, cio.NullIO)
	out["create"] = outcome(err)
}

// runcContainer makes a container of runtime type io.containerd.runc.v2
// (so checkpoint and restore options are passed as runc's) running command
// on the test's rootfs; its tasks run the shim given by -runtime, by path.
func runcContainer(ctx context.Context, client *containerd.Client, id string) containerd.Container {
	specOpts := []oci.SpecOpts{oci.WithRootFSPath(*rootfs), oci.WithProcessArgs("/bin/sh", "-c", *command)}
	if *terminal {
		specOpts = append(specOpts, oci.WithTTY)
	}
	container, err := client.NewContainer(ctx, id, containerd.WithNewSpec(specOpts...), containerd.WithRuntime("io.containerd.runc.v2", nil))
	if err != nil {
		fail("new container: %v", err)
	}
	return container
}

// checkpointToImage: a task started with -command, checkpointed with exit
// (CRIU stops it) into the checkpoint image -checkpoint in containerd's
// content store, then deleted with its container.
func checkpointToImage(ctx context.Context, client *containerd.Client, id string, out result) {
	container := runcContainer(ctx, client, id)
	defer container.Delete(ctx)
	task, err := container.NewTask(ctx, taskIO(), containerd.WithRuntimePath(*runtime))
	if err != nil {
		fail("new task: %v", err)
	}
	defer task.Delete(ctx, containerd.WithProcessKill)
	wait, err := task.Wait(ctx)
	if err != nil {
		fail("wait: %v", err)
	}
	if err := task.Start(ctx); err != nil {
		fail("start: %v", err)
	}
	time.Sleep(time.Duration(*settle) * time.Millisecond)
	exit := func(r *containerd.CheckpointTaskInfo) error {
		if r.Options == nil {
			r.Options = &options.CheckpointOptions{}
		}
		r.Options.(*options.CheckpointOptions).Exit = true
		r.Options.(*options.CheckpointOptions).Terminal = *terminal
		return nil
	}
	_, err = task.Checkpoint(ctx, containerd.WithCheckpointName(*checkpointRef), exit)
	out["checkpoint"] = outcome(err)
	select {
	case status := <-wait:
		out["exitCode"] = int(status.ExitCode())
	case <-time.After(30 * time.Second):
		out["exitCode"] = "still running"
	}
}

// restoreFromImage: a new container on the test's rootfs whose task is
// restored from the checkpoint image -checkpoint (which a shim took), then
// left running.
func restoreFromImage(ctx context.Context, client *containerd.Client, id string, out result) {
	image, err := client.GetImage(ctx, *checkpointRef)
	if err != nil {
		fail("checkpoint image: %v", err)
	}
	container := runcContainer(ctx, client, id)
	task, err := container.NewTask(ctx, taskIO(), containerd.WithRuntimePath(*runtime), containerd.WithTaskCheckpoint(image))
	out["restore"] = outcome(err)
	if err != nil {
		container.Delete(ctx)
		return
	}
	out["start"] = outcome(task.Start(ctx))
	out["pid"] = int(task.Pid())
}

// missingRuntime: the runtime options name a runc that is not on PATH.
func missingRuntime(ctx context.Context, client *containerd.Client, id string, out result) {
	container := newContainer(ctx, client, id, &options.Options{BinaryName: "no-such-runc"}, oci.WithProcessArgs("/bin/true"))
	defer container.Delete(ctx)
	task, err := container.NewTask(ctx, cio.NullIO)
	out["create"] = code(err)
	if err != nil {
		message := err.Error()
		out["namesProgram"] = strings.Contains(message, `exec: "no-such-runc": executable file not found in $PATH`)
		out["message"] = message
		return
	}
	task.Delete(ctx, containerd.WithProcessKill)
}

// states: each request in each state, straight through containerd's task
// service (the client library checks some states itself and would hide
// the shim's answer).
func states(ctx context.Context, client *containerd.Client, id string, out result) {
	container := newContainer(ctx, client, id, nil, oci.WithProcessArgs("/bin/sleep", "1000"))
	defer cleanUp(ctx, container)
	service := client.TaskService()
	if _, err := container.NewTask(ctx, cio.NullIO); err != nil {
		fail("new task: %v", err)
	}
	spec, err := container.Spec(ctx)
	if err != nil {
		fail("spec: %v", err)
	}
	execSpec := func(args ...string) *tasks.ExecProcessRequest {
		process := *spec.Process
		process.Args = args
		any, err := typeurl.MarshalAny(&process)
		if err != nil {
			fail("marshal: %v", err)
		}
		return &tasks.ExecProcessRequest{ContainerID: id, Spec: any}
	}
	exec := func(execID string, args ...string) error {
		request := execSpec(args...)
		request.ExecID = execID
		_, err := service.Exec(ctx, request)
		return err
	}
	start := func(execID string) error {
		_, err := service.Start(ctx, &tasks.StartRequest{ContainerID: id, ExecID: execID})
		return err
	}
	status := func(execID string) string {
		r, err := service.Get(ctx, &tasks.GetRequest{ContainerID: id, ExecID: execID})
		if err != nil {
			return outcome(err)
		}
		return r.Process.Status.String()
	}
	update := func() error {
		resources := specs.LinuxResources{Pids: &specs.LinuxPids{Limit: 200}}
		any, err := typeurl.MarshalAny(&resources)
		if err != nil {
			fail("marshal: %v", err)
		}
		_, err = service.Update(ctx, &tasks.UpdateTaskRequest{ContainerID: id, Resources: any})
		return err
	}
	metrics := func() error {
		_, err := service.Metrics(ctx, &tasks.MetricsRequest{Filters: []string{"id==" + id}})
		return err
	}
	metricsCount := func() int {
		r, err := service.Metrics(ctx, &tasks.MetricsRequest{Filters: []string{"id==" + id}})
		if err != nil {
			return -1
		}
		return len(r.Metrics)
	}
	pause := func() error { _, err := service.Pause(ctx, &tasks.PauseTaskRequest{ContainerID: id}); return err }
	resume := func() error { _, err := service.Resume(ctx, &tasks.ResumeTaskRequest{ContainerID: id}); return err }
	deleteProcess := func(execID string) error {
		_, err := service.DeleteProcess(ctx, &tasks.DeleteProcessRequest{ContainerID: id, ExecID: execID})
		return err
	}
	deleteTask := func() error { _, err := service.Delete(ctx, &tasks.DeleteTaskRequest{ContainerID: id}); return err }
	pids := func() error { _, err := service.ListPids(ctx, &tasks.ListPidsRequest{ContainerID: id}); return err }
	resizeExec := func(execID string) error {
		_, err := service.ResizePty(ctx, &tasks.ResizePtyRequest{ContainerID: id, ExecID: execID, Width: 80, Height: 24})
		return err
	}
	kill := func(execID string, signal syscall.Signal) error {
		_, err := service.Kill(ctx, &tasks.KillRequest{ContainerID: id, ExecID: execID, Signal: uint32(signal)})
		return err
	}
	waitExit := func(execID string) {
		for i := 0; i < 400; i++ {
			if status(execID) == "STOPPED" {
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
		fail("%s did not stop", execID)
	}

	// Created.
	out["created.pause"] = code(pause())
	out["created.resume"] = code(resume())
	out["created.update"] = code(update())
	out["created.metrics"] = code(metrics())
	out["created.pids"] = code(pids())
	out["created.exec"] = code(exec("in-created", "/bin/echo", "created"))
	out["created.execStatus"] = status("in-created")
	out["created.killUnstartedExec"] = code(kill("in-created", syscall.SIGKILL))
	out["created.deleteUnstartedExec"] = code(deleteProcess("in-created"))

	// Running.
	out["running.start"] = code(start(""))
	out["running.startAgain"] = code(start(""))
	out["running.resume"] = code(resume())
	out["running.delete"] = code(deleteTask())
	out["running.exec"] = code(exec("sleeper", "/bin/sleep", "1000"))
	out["running.execStart"] = code(start("sleeper"))
	out["running.execStartAgain"] = code(start("sleeper"))
	out["running.execDelete"] = code(deleteProcess("sleeper"))
	out["running.execDuplicate"] = code(exec("sleeper", "/bin/true"))
	out["running.unknownExecStatus"] = code(func() error {
		_, err := service.Get(ctx, &tasks.GetRequest{ContainerID: id, ExecID: "nope"})
		return err
	}())

	// Paused.
	out["paused.pause"] = code(pause())
	out["paused.pauseAgain"] = code(pause())
	out["paused.status"] = status("")
	out["paused.execStatus"] = status("sleeper")
	out["paused.exec"] = code(exec("in-paused", "/bin/true"))
	out["paused.update"] = code(update())
	out["paused.delete"] = code(deleteTask())
	out["paused.resume"] = code(resume())
	out["resumed.status"] = status("")
	out["resumed.execStatus"] = status("sleeper")

	// A stopped exec.
	out["execStopped.kill"] = code(kill("sleeper", syscall.SIGKILL))
	waitExit("sleeper")
	out["execStopped.killAgain"] = code(kill("sleeper", syscall.SIGKILL))
	out["execStopped.resize"] = code(resizeExec("sleeper"))
	out["execStopped.start"] = code(start("sleeper"))
	out["execStopped.delete"] = code(deleteProcess("sleeper"))
	out["execStopped.deleteAgain"] = code(deleteProcess("sleeper"))

	// A stopped init.
	out["stopped.kill"] = code(kill("", syscall.SIGKILL))
	waitExit("")
	out["stopped.killAgain"] = code(kill("", syscall.SIGKILL))
	out["stopped.start"] = code(start(""))
	out["stopped.pause"] = code(pause())
	out["stopped.resume"] = code(resume())
	out["stopped.update"] = code(update())
	out["stopped.metrics"] = code(metrics())
	out["stopped.metricsCount"] = metricsCount()
	out["stopped.pids"] = code(pids())
	out["stopped.exec"] = code(exec("in-stopped", "/bin/true"))
	out["stopped.delete"] = code(deleteTask())
}
