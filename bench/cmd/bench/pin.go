package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Pinning. On a small machine the destination server, the source server and the tool all
// compete for the same cores, and the ceiling loader (which reads no source) would be
// measured with more of the machine than a copying tool ever gets. Pinned, the
// destination Dovecot has cores of its own — as it would on its own machine — and the
// source, the tools, the loader and the checks share the others, so "% of the ceiling"
// says how busy a tool keeps the destination, not how much CPU it leaves it.

// cpuSplit returns the CPUs for the destination (the upper half) and for everything else.
func cpuSplit() (dest, rest []int, ok bool) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, nil, false
	}
	var cpus []int
	for i := 0; i < runtime.NumCPU()*4 && i < 1024; i++ {
		if set.IsSet(i) {
			cpus = append(cpus, i)
		}
	}
	if len(cpus) < 2 {
		return nil, nil, false
	}
	half := len(cpus) / 2
	return cpus[half:], cpus[:half], true
}

func cpuSet(cpus []int) *unix.CPUSet {
	var s unix.CPUSet
	for _, c := range cpus {
		s.Set(c)
	}
	return &s
}

// pinSelf puts this process (and so whatever it starts from now on) on cpus.
func pinSelf(cpus []int) error {
	// Every thread of the Go runtime: affinity is per thread on Linux.
	tasks, _ := filepath.Glob("/proc/self/task/*")
	for _, t := range tasks {
		tid, err := strconv.Atoi(filepath.Base(t))
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, cpuSet(cpus)); err != nil {
			return fmt.Errorf("pin thread %d: %w", tid, err)
		}
	}
	return nil
}

// pinTree puts process pid and all its descendants on cpus; processes it starts later
// inherit the setting.
func pinTree(pid int, cpus []int) error {
	todo := []int{pid}
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", p))
		for _, t := range tasks {
			tid, err := strconv.Atoi(filepath.Base(t))
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, cpuSet(cpus)); err != nil && p == pid {
				return fmt.Errorf("pin process %d: %w", p, err)
			}
			b, _ := os.ReadFile(filepath.Join(t, "children"))
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					todo = append(todo, c)
				}
			}
		}
	}
	return nil
}

func cpuList(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ",")
}
