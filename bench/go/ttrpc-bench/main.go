// The Go side of the ttrpc benchmark: Debian's containerd/ttrpc, same
// arguments and output lines as bench/TTRPCBench.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/containerd/ttrpc"
)

type EchoRequest struct {
	Text string `protobuf:"bytes,1,opt,name=text,proto3"`
	Data []byte `protobuf:"bytes,2,opt,name=data,proto3"`
}

func (m *EchoRequest) Reset()         { *m = EchoRequest{} }
func (m *EchoRequest) String() string { return "EchoRequest" }
func (*EchoRequest) ProtoMessage()    {}

type EchoResponse struct {
	Text string `protobuf:"bytes,1,opt,name=text,proto3"`
	Data []byte `protobuf:"bytes,2,opt,name=data,proto3"`
}

func (m *EchoResponse) Reset()         { *m = EchoResponse{} }
func (m *EchoResponse) String() string { return "EchoResponse" }
func (*EchoResponse) ProtoMessage()    {}

func fail(err error) {
	fmt.Println("ttrpc-bench:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: ttrpc-bench serve|latency|throughput SOCKET [N]"))
	}
	path := os.Args[2]
	count := 1000
	if len(os.Args) > 3 {
		if n, err := strconv.Atoi(os.Args[3]); err == nil {
			count = n
		}
	}
	ctx := context.Background()
	switch os.Args[1] {
	case "serve":
		server, err := ttrpc.NewServer(ttrpc.WithServerHandshaker(ttrpc.UnixSocketRequireSameUser()))
		if err != nil {
			fail(err)
		}
		server.Register("ttrpctest.Echo", map[string]ttrpc.Method{
			"Echo": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
				var req EchoRequest
				if err := unmarshal(&req); err != nil {
					return nil, err
				}
				return &EchoResponse{Text: req.Text, Data: req.Data}, nil
			},
		})
		listener, err := net.Listen("unix", path)
		if err != nil {
			fail(err)
		}
		fmt.Println("ready")
		if err := server.Serve(ctx, listener); err != nil {
			fail(err)
		}
	case "latency":
		conn, err := net.Dial("unix", path)
		if err != nil {
			fail(err)
		}
		client := ttrpc.NewClient(conn)
		req := &EchoRequest{Text: "ping"}
		for i := 0; i < 200; i++ {
			var resp EchoResponse
			if err := client.Call(ctx, "ttrpctest.Echo", "Echo", req, &resp); err != nil {
				fail(err)
			}
		}
		samples := make([]time.Duration, 0, count)
		for i := 0; i < count; i++ {
			var resp EchoResponse
			start := time.Now()
			if err := client.Call(ctx, "ttrpctest.Echo", "Echo", req, &resp); err != nil {
				fail(err)
			}
			samples = append(samples, time.Since(start))
		}
		sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
		fmt.Printf("p50_us %.3f\n", float64(samples[count/2].Nanoseconds())/1000)
		fmt.Printf("p99_us %.3f\n", float64(samples[count*99/100].Nanoseconds())/1000)
	case "throughput":
		conn, err := net.Dial("unix", path)
		if err != nil {
			fail(err)
		}
		client := ttrpc.NewClient(conn)
		req := &EchoRequest{Data: make([]byte, 1<<20)}
		for i := 0; i < 5; i++ {
			var resp EchoResponse
			if err := client.Call(ctx, "ttrpctest.Echo", "Echo", req, &resp); err != nil {
				fail(err)
			}
		}
		start := time.Now()
		for i := 0; i < count; i++ {
			var resp EchoResponse
			if err := client.Call(ctx, "ttrpctest.Echo", "Echo", req, &resp); err != nil {
				fail(err)
			}
		}
		fmt.Printf("mib_per_s %.1f\n", float64(2*count)/time.Since(start).Seconds())
	default:
		fail(fmt.Errorf("unknown action %s", os.Args[1]))
	}
}
