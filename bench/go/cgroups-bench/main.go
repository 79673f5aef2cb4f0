// The Go reference for bench/run cgroups: full statistics snapshots read by
// containerd's cgroups package (Debian's golang-github-containerd-cgroups-dev),
// v1 through cgroups.Load and v2 through cgroupsv2.LoadManager.
//
//	cgroups-bench v1 <path> <count>           path relative to each v1 hierarchy
//	cgroups-bench v2 <mount> <path> <count>   a cgroup2 mount (or a fake tree) and a path below it
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/containerd/cgroups"
	cgroupsv2 "github.com/containerd/cgroups/v2"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: cgroups-bench v1 PATH COUNT | v2 MOUNT PATH COUNT")
		os.Exit(2)
	}
	var read func() error
	var countArg string
	switch os.Args[1] {
	case "v1":
		control, err := cgroups.Load(cgroups.V1, cgroups.StaticPath(os.Args[2]))
		if err != nil {
			fail(err)
		}
		read = func() error { _, err := control.Stat(cgroups.IgnoreNotExist); return err }
		countArg = os.Args[3]
	case "v2":
		if len(os.Args) < 5 {
			fail(fmt.Errorf("v2 needs MOUNT PATH COUNT"))
		}
		manager, err := cgroupsv2.LoadManager(os.Args[2], os.Args[3])
		if err != nil {
			fail(err)
		}
		read = func() error { _, err := manager.Stat(); return err }
		countArg = os.Args[4]
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
	count, err := strconv.Atoi(countArg)
	if err != nil {
		fail(err)
	}
	if err := read(); err != nil {
		fail(err)
	}
	start := time.Now()
	for i := 0; i < count; i++ {
		if err := read(); err != nil {
			fail(err)
		}
	}
	fmt.Printf("us_per_snapshot %.2f\n", float64(time.Since(start).Microseconds())/float64(count))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cgroups-bench:", err)
	os.Exit(1)
}
