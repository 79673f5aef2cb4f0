// Decodes and encodes a config with the runtime-spec Go types and
// encoding/json, the reference the Swift benchmark is compared with.
// Built in GOPATH mode from Debian's golang-github-opencontainers-specs-dev.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func measure(name string, iterations int, body func()) {
	for i := 0; i < iterations/10+1; i++ {
		body()
	}
	start := time.Now()
	for i := 0; i < iterations; i++ {
		body()
	}
	fmt.Printf("%s %d %d ns/op\n", name, iterations, time.Since(start).Nanoseconds()/int64(iterations))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: ocispec-json FILE [ITERATIONS]")
		os.Exit(2)
	}
	iterations := 2000
	if len(os.Args) > 2 {
		if n, err := strconv.Atoi(os.Args[2]); err == nil {
			iterations = n
		}
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	measure("decode", iterations, func() {
		var s specs.Spec
		if err := json.Unmarshal(data, &s); err != nil {
			panic(err)
		}
	})
	measure("encode", iterations, func() {
		if _, err := json.Marshal(&spec); err != nil {
			panic(err)
		}
	})
}
