// The Go reference for bench/run console: what containerd's Go shim does to
// relay a process's output, io.CopyBuffer with a 32 KiB buffer in a
// goroutine, from a pipe or from a pty master made with containerd/console.
//
//	console-bench pipe MiB
//	console-bench pty MiB
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/containerd/console"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: console-bench pipe|pty MIB")
		os.Exit(2)
	}
	mib, err := strconv.Atoi(os.Args[2])
	if err != nil {
		panic(err)
	}
	total := mib << 20
	var source io.Reader
	var sink io.WriteCloser
	switch os.Args[1] {
	case "pipe":
		r, w, err := os.Pipe()
		if err != nil {
			panic(err)
		}
		source, sink = r, w
	case "pty":
		master, slaveName, err := console.NewPty()
		if err != nil {
			panic(err)
		}
		slave, err := os.OpenFile(slaveName, os.O_RDWR, 0)
		if err != nil {
			panic(err)
		}
		if c, err := console.ConsoleFromFile(slave); err == nil {
			c.SetRaw()
		}
		source, sink = master, slave
	default:
		panic("unknown mode")
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	start := time.Now()
	go func() {
		chunk := make([]byte, 256<<10)
		for written := 0; written < total; written += len(chunk) {
			if _, err := sink.Write(chunk); err != nil {
				panic(err)
			}
		}
		sink.Close()
	}()
	go func() {
		buffer := make([]byte, 32<<10)
		io.CopyBuffer(outW, source, buffer)
		outW.Close()
	}()
	received := 0
	buffer := make([]byte, 64<<10)
	for {
		n, err := outR.Read(buffer)
		received += n
		if err != nil {
			break
		}
	}
	elapsed := time.Since(start).Seconds()
	if received != total {
		fmt.Fprintf(os.Stderr, "received %d of %d\n", received, total)
		os.Exit(1)
	}
	fmt.Printf("mib_per_s %.1f\n", float64(mib)/elapsed)
}
