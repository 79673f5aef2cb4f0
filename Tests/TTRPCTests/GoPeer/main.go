// A ttrpc peer built from Debian's Go packages (ttrpc 1.1) for interop tests
// with the Swift implementation. GOPATH mode; the messages are hand-written
// gogo/protobuf structs matching Tests/TTRPCTests/Protos/echo.proto.
//
//   gopeer serve SOCKET                     serve ttrpctest.Echo until killed
//   gopeer echo SOCKET TEXT [k=v ...]       one call; prints text and metadata
//   gopeer fail SOCKET CODE MESSAGE         prints the returned code and message
//   gopeer deadline SOCKET SLEEP_MS TIMEOUT_MS
//   gopeer size SOCKET BYTES                echo BYTES of data; prints the length back
//   gopeer concurrent SOCKET N              N calls at once; prints how many matched
//   gopeer unknown SOCKET                   call an unknown method; prints the code
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/ttrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type EchoRequest struct {
	Text        string `protobuf:"bytes,1,opt,name=text,proto3"`
	Data        []byte `protobuf:"bytes,2,opt,name=data,proto3"`
	SleepMs     int64  `protobuf:"varint,3,opt,name=sleep_ms,proto3"`
	FailCode    int32  `protobuf:"varint,4,opt,name=fail_code,proto3"`
	FailMessage string `protobuf:"bytes,5,opt,name=fail_message,proto3"`
}

func (m *EchoRequest) Reset()         { *m = EchoRequest{} }
func (m *EchoRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*EchoRequest) ProtoMessage()    {}

type EchoResponse struct {
	Text        string   `protobuf:"bytes,1,opt,name=text,proto3"`
	Data        []byte   `protobuf:"bytes,2,opt,name=data,proto3"`
	Metadata    []string `protobuf:"bytes,3,rep,name=metadata,proto3"`
	DeadlineSeen bool    `protobuf:"varint,4,opt,name=deadline_seen,proto3"`
	RemainingMs int64    `protobuf:"varint,5,opt,name=remaining_ms,proto3"`
}

func (m *EchoResponse) Reset()         { *m = EchoResponse{} }
func (m *EchoResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*EchoResponse) ProtoMessage()    {}

const service = "ttrpctest.Echo"

func echo(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
	var req EchoRequest
	if err := unmarshal(&req); err != nil {
		return nil, err
	}
	if req.SleepMs > 0 {
		select {
		case <-time.After(time.Duration(req.SleepMs) * time.Millisecond):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	if req.FailCode != 0 {
		return nil, status.Error(codes.Code(req.FailCode), req.FailMessage)
	}
	resp := &EchoResponse{Text: req.Text, Data: req.Data}
	if md, ok := ttrpc.GetMetadata(ctx); ok {
		for k, values := range md {
			for _, v := range values {
				resp.Metadata = append(resp.Metadata, k+"="+v)
			}
		}
		sort.Strings(resp.Metadata)
	}
	if dl, ok := ctx.Deadline(); ok {
		resp.DeadlineSeen = true
		resp.RemainingMs = time.Until(dl).Milliseconds()
	}
	return resp, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gopeer:", err)
	os.Exit(1)
}

func dial(path string) *ttrpc.Client {
	conn, err := net.Dial("unix", path)
	if err != nil {
		fail(err)
	}
	return ttrpc.NewClient(conn)
}

func describe(err error) string {
	st, _ := status.FromError(err)
	return fmt.Sprintf("code=%d message=%s", st.Code(), st.Message())
}

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: gopeer ACTION SOCKET ..."))
	}
	action, path, args := os.Args[1], os.Args[2], os.Args[3:]
	ctx := context.Background()
	switch action {
	case "serve":
		server, err := ttrpc.NewServer(ttrpc.WithServerHandshaker(ttrpc.UnixSocketRequireSameUser()))
		if err != nil {
			fail(err)
		}
		server.Register(service, map[string]ttrpc.Method{"Echo": echo})
		os.Remove(path)
		listener, err := net.Listen("unix", path)
		if err != nil {
			fail(err)
		}
		fmt.Println("ready")
		if err := server.Serve(ctx, listener); err != nil {
			fail(err)
		}
	case "echo":
		client := dial(path)
		md := ttrpc.MD{}
		for _, pair := range args[1:] {
			kv := strings.SplitN(pair, "=", 2)
			md.Append(kv[0], kv[1])
		}
		var resp EchoResponse
		err := client.Call(ttrpc.WithMetadata(ctx, md), service, "Echo", &EchoRequest{Text: args[0]}, &resp)
		if err != nil {
			fmt.Println(describe(err))
			return
		}
		fmt.Printf("text=%s metadata=%s\n", resp.Text, strings.Join(resp.Metadata, ","))
	case "fail":
		client := dial(path)
		code, _ := strconv.Atoi(args[0])
		var resp EchoResponse
		err := client.Call(ctx, service, "Echo", &EchoRequest{FailCode: int32(code), FailMessage: args[1]}, &resp)
		fmt.Println(describe(err))
	case "deadline":
		client := dial(path)
		sleep, _ := strconv.Atoi(args[0])
		timeout, _ := strconv.Atoi(args[1])
		c, cancel := context.WithTimeout(ctx, time.Duration(timeout)*time.Millisecond)
		defer cancel()
		var resp EchoResponse
		err := client.Call(c, service, "Echo", &EchoRequest{Text: "late", SleepMs: int64(sleep)}, &resp)
		if err != nil {
			fmt.Println(describe(err))
			return
		}
		fmt.Printf("text=%s deadline_seen=%v remaining_ms=%d\n", resp.Text, resp.DeadlineSeen, resp.RemainingMs)
	case "size":
		client := dial(path)
		n, _ := strconv.Atoi(args[0])
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i % 251)
		}
		var resp EchoResponse
		err := client.Call(ctx, service, "Echo", &EchoRequest{Data: data}, &resp)
		if err != nil {
			fmt.Println(describe(err))
			return
		}
		same := len(resp.Data) == n
		for i := 0; same && i < n; i++ {
			same = resp.Data[i] == byte(i%251)
		}
		fmt.Printf("length=%d intact=%v\n", len(resp.Data), same)
		// The connection must still work afterwards.
		var again EchoResponse
		if err := client.Call(ctx, service, "Echo", &EchoRequest{Text: "after"}, &again); err != nil {
			fmt.Println("after:", describe(err))
			return
		}
		fmt.Printf("after=%s\n", again.Text)
	case "concurrent":
		client := dial(path)
		n, _ := strconv.Atoi(args[0])
		var wg sync.WaitGroup
		var mu sync.Mutex
		matched := 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				text := "call-" + strconv.Itoa(i)
				var resp EchoResponse
				if err := client.Call(ctx, service, "Echo", &EchoRequest{Text: text, SleepMs: int64(i % 5)}, &resp); err == nil && resp.Text == text {
					mu.Lock()
					matched++
					mu.Unlock()
				}
			}(i)
		}
		wg.Wait()
		fmt.Printf("matched=%d\n", matched)
	case "unknown":
		client := dial(path)
		var resp EchoResponse
		fmt.Println(describe(client.Call(ctx, service, "Nope", &EchoRequest{}, &resp)))
		fmt.Println(describe(client.Call(ctx, "no.such.Service", "Echo", &EchoRequest{}, &resp)))
	default:
		fail(fmt.Errorf("unknown action %s", action))
	}
}
