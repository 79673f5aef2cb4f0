// null-shim: a runc.v1-contract shim that runs nothing. Every process it
// is asked to start "runs" without a process behind it: an exec exits with
// status 0 the moment it starts, the init task until it is killed. It
// answers every call of the task API at once and publishes the events a
// real shim publishes. bench/run shim-phases times `ctr task exec` with it
// to find what ctr, containerd and a shim's RPC plumbing cost with no shim
// work at all: the floor beneath which no shim can go.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	eventstypes "github.com/containerd/containerd/api/events"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/runtime/v2/shim"
	taskAPI "github.com/containerd/containerd/runtime/v2/task"
	ptypes "github.com/gogo/protobuf/types"
)

type process struct {
	exited   chan struct{}
	status   uint32
	exitedAt time.Time
}

type service struct {
	mu        sync.Mutex
	id        string
	publisher shim.Publisher
	shutdown  func()
	processes map[string]*process
}

func main() {
	shim.Run("io.containerd.null.v1", func(ctx context.Context, id string, publisher shim.Publisher, shutdown func()) (shim.Shim, error) {
		return &service{id: id, publisher: publisher, shutdown: shutdown, processes: map[string]*process{}}, nil
	})
}

func (s *service) StartShim(ctx context.Context, opts shim.StartOpts) (string, error) {
	ns, err := namespaces.NamespaceRequired(ctx)
	if err != nil {
		return "", err
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	address, err := shim.SocketAddress(ctx, opts.Address, opts.ID)
	if err != nil {
		return "", err
	}
	socket, err := shim.NewSocket(address)
	if err != nil {
		return "", err
	}
	file, err := socket.File()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(self, "-namespace", ns, "-id", opts.ID, "-address", opts.Address)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.ExtraFiles = []*os.File{file}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	go cmd.Wait()
	if err := shim.WriteAddress("address", address); err != nil {
		return "", err
	}
	return address, shim.WritePidFile("shim.pid", cmd.Process.Pid)
}

func (s *service) Cleanup(ctx context.Context) (*taskAPI.DeleteResponse, error) {
	if address, err := shim.ReadAddress("address"); err == nil {
		_ = shim.RemoveSocket(address)
	}
	return &taskAPI.DeleteResponse{ExitStatus: 137, ExitedAt: time.Now()}, nil
}

func (s *service) publish(ctx context.Context, topic string, event interface{}) {
	go s.publisher.Publish(namespaces.WithNamespace(context.Background(), mustNamespace(ctx)), topic, event)
}

func mustNamespace(ctx context.Context) string {
	ns, _ := namespaces.Namespace(ctx)
	return ns
}

func (s *service) lookup(execID string) (*process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.processes[execID]
	if !ok {
		return nil, fmt.Errorf("process %q: %w", execID, errdefs.ErrNotFound)
	}
	return p, nil
}

func (s *service) exit(ctx context.Context, execID string, p *process, status uint32) {
	s.mu.Lock()
	select {
	case <-p.exited:
		s.mu.Unlock()
		return
	default:
	}
	p.status, p.exitedAt = status, time.Now()
	close(p.exited)
	s.mu.Unlock()
	id := execID
	if id == "" {
		id = s.id
	}
	s.publish(ctx, "/tasks/exit", &eventstypes.TaskExit{ContainerID: s.id, ID: id, Pid: uint32(os.Getpid()), ExitStatus: status, ExitedAt: p.exitedAt})
}

func (s *service) Create(ctx context.Context, r *taskAPI.CreateTaskRequest) (*taskAPI.CreateTaskResponse, error) {
	s.mu.Lock()
	s.processes[""] = &process{exited: make(chan struct{})}
	s.mu.Unlock()
	s.publish(ctx, "/tasks/create", &eventstypes.TaskCreate{ContainerID: r.ID, Bundle: r.Bundle, Pid: uint32(os.Getpid())})
	return &taskAPI.CreateTaskResponse{Pid: uint32(os.Getpid())}, nil
}

func (s *service) Start(ctx context.Context, r *taskAPI.StartRequest) (*taskAPI.StartResponse, error) {
	p, err := s.lookup(r.ExecID)
	if err != nil {
		return nil, err
	}
	if r.ExecID == "" {
		s.publish(ctx, "/tasks/start", &eventstypes.TaskStart{ContainerID: s.id, Pid: uint32(os.Getpid())})
	} else {
		s.publish(ctx, "/tasks/exec-started", &eventstypes.TaskExecStarted{ContainerID: s.id, ExecID: r.ExecID, Pid: uint32(os.Getpid())})
		s.exit(ctx, r.ExecID, p, 0)
	}
	return &taskAPI.StartResponse{Pid: uint32(os.Getpid())}, nil
}

func (s *service) Exec(ctx context.Context, r *taskAPI.ExecProcessRequest) (*ptypes.Empty, error) {
	s.mu.Lock()
	s.processes[r.ExecID] = &process{exited: make(chan struct{})}
	s.mu.Unlock()
	s.publish(ctx, "/tasks/exec-added", &eventstypes.TaskExecAdded{ContainerID: s.id, ExecID: r.ExecID})
	return &ptypes.Empty{}, nil
}

func (s *service) Wait(ctx context.Context, r *taskAPI.WaitRequest) (*taskAPI.WaitResponse, error) {
	p, err := s.lookup(r.ExecID)
	if err != nil {
		return nil, err
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &taskAPI.WaitResponse{ExitStatus: p.status, ExitedAt: p.exitedAt}, nil
}

func (s *service) Kill(ctx context.Context, r *taskAPI.KillRequest) (*ptypes.Empty, error) {
	p, err := s.lookup(r.ExecID)
	if err != nil {
		return nil, err
	}
	s.exit(ctx, r.ExecID, p, 128+r.Signal)
	return &ptypes.Empty{}, nil
}

func (s *service) Delete(ctx context.Context, r *taskAPI.DeleteRequest) (*taskAPI.DeleteResponse, error) {
	p, err := s.lookup(r.ExecID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.processes, r.ExecID)
	s.mu.Unlock()
	if r.ExecID == "" {
		s.publish(ctx, "/tasks/delete", &eventstypes.TaskDelete{ContainerID: s.id, Pid: uint32(os.Getpid()), ExitStatus: p.status, ExitedAt: p.exitedAt})
	}
	return &taskAPI.DeleteResponse{Pid: uint32(os.Getpid()), ExitStatus: p.status, ExitedAt: p.exitedAt}, nil
}

func (s *service) State(ctx context.Context, r *taskAPI.StateRequest) (*taskAPI.StateResponse, error) {
	if _, err := s.lookup(r.ExecID); err != nil {
		return nil, err
	}
	return &taskAPI.StateResponse{ID: s.id, ExecID: r.ExecID, Pid: uint32(os.Getpid())}, nil
}

func (s *service) Connect(ctx context.Context, r *taskAPI.ConnectRequest) (*taskAPI.ConnectResponse, error) {
	return &taskAPI.ConnectResponse{ShimPid: uint32(os.Getpid()), TaskPid: uint32(os.Getpid())}, nil
}

func (s *service) Shutdown(ctx context.Context, r *taskAPI.ShutdownRequest) (*ptypes.Empty, error) {
	s.shutdown()
	return &ptypes.Empty{}, nil
}

func (s *service) Pids(ctx context.Context, r *taskAPI.PidsRequest) (*taskAPI.PidsResponse, error) {
	return &taskAPI.PidsResponse{}, nil
}

func (s *service) Pause(context.Context, *taskAPI.PauseRequest) (*ptypes.Empty, error) {
	return nil, errdefs.ErrNotImplemented
}

func (s *service) Resume(context.Context, *taskAPI.ResumeRequest) (*ptypes.Empty, error) {
	return nil, errdefs.ErrNotImplemented
}

func (s *service) Checkpoint(context.Context, *taskAPI.CheckpointTaskRequest) (*ptypes.Empty, error) {
	return nil, errdefs.ErrNotImplemented
}

func (s *service) ResizePty(context.Context, *taskAPI.ResizePtyRequest) (*ptypes.Empty, error) {
	return &ptypes.Empty{}, nil
}

func (s *service) CloseIO(context.Context, *taskAPI.CloseIORequest) (*ptypes.Empty, error) {
	return &ptypes.Empty{}, nil
}

func (s *service) Update(context.Context, *taskAPI.UpdateTaskRequest) (*ptypes.Empty, error) {
	return nil, errdefs.ErrNotImplemented
}

func (s *service) Stats(context.Context, *taskAPI.StatsRequest) (*taskAPI.StatsResponse, error) {
	return nil, errdefs.ErrNotImplemented
}
