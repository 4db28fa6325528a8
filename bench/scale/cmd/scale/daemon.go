package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clkTck is USER_HZ, the unit of utime and stime in /proc/PID/stat. Linux
// exports 100 to user space on every architecture radish runs on.
const clkTck = 100

// daemon is a router daemon running in the router namespace.
type daemon struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error
}

// startDaemon runs argv inside namespace ns with `ip netns exec`, which
// execs the program, so the process id is the daemon's own. The daemon
// leads its own process group and is killed if this program dies.
func startDaemon(ns string, argv []string, logPath string) (*daemon, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	d := &daemon{log: lf, done: make(chan struct{})}
	d.cmd = exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...)
	d.cmd.Stdout, d.cmd.Stderr = lf, lf
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	// The parent-death signal follows the thread that forked the child:
	// keep that thread alive for the daemon's whole life.
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := d.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	if err := <-started; err != nil {
		lf.Close()
		return nil, fmt.Errorf("starting %s: %w", strings.Join(argv, " "), err)
	}
	return d, nil
}

func (d *daemon) pid() int { return d.cmd.Process.Pid }

// exited reports whether the daemon has exited, and how.
func (d *daemon) exited() (bool, error) {
	select {
	case <-d.done:
		return true, d.err
	default:
		return false, nil
	}
}

// stop sends SIGTERM to the daemon's process group, SIGKILL after grace,
// and waits until it is reaped.
func (d *daemon) stop(grace time.Duration) {
	defer d.log.Close()
	if done, _ := d.exited(); done {
		return
	}
	_ = syscall.Kill(-d.pid(), syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(grace):
		_ = syscall.Kill(-d.pid(), syscall.SIGKILL)
		<-d.done
	}
}

// logTail returns the last lines of the daemon's log file.
func logTail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// procStat holds the fields of /proc/PID/stat the benchmark uses.
type procStat struct {
	ppid         int
	utime, stime uint64 // clock ticks
}

var errStatFormat = errors.New("unexpected /proc/PID/stat format")

// parseStat parses the contents of /proc/PID/stat. The command name
// (field 2) is in parentheses and may itself hold spaces and parentheses,
// so fields are counted from the last ')'.
func parseStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errStatFormat
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
	if len(f) < 13 {
		return procStat{}, errStatFormat
	}
	var s procStat
	var err1, err2, err3 error
	s.ppid, err1 = strconv.Atoi(f[1])
	s.utime, err2 = strconv.ParseUint(f[11], 10, 64)
	s.stime, err3 = strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return procStat{}, fmt.Errorf("%w: %v", errStatFormat, err)
	}
	return s, nil
}

// tree is a snapshot of a process and its live descendants.
type tree struct {
	pids  []int  // the root first
	ticks uint64 // CPU clock ticks (user + system) used by them so far
}

// processTree takes a snapshot of process pid and its live descendants.
func processTree(pid int) (tree, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return tree{}, err
	}
	stats := make(map[int]procStat)
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		if s, err := parseStat(b); err == nil {
			stats[p] = s
		}
	}
	root, ok := stats[pid]
	if !ok {
		return tree{}, fmt.Errorf("process %d not found", pid)
	}
	t := tree{pids: []int{pid}, ticks: root.utime + root.stime}
	for p, s := range stats {
		if p == pid {
			continue
		}
		for a, hops := s.ppid, 0; a > 1 && hops < 64; a, hops = stats[a].ppid, hops+1 {
			if a == pid {
				t.pids = append(t.pids, p)
				t.ticks += s.utime + s.stime
				break
			}
		}
	}
	return t, nil
}

// memKiB returns the sums of VmHWM (peak resident set) and VmRSS over the
// processes of t, in KiB, from /proc/PID/status. For a single process the
// first is its peak; for several it bounds their combined peak from above.
func (t tree) memKiB() (hwm, rss uint64, err error) {
	for _, pid := range t.pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return 0, 0, err
		}
		hwm += parseStatusKiB(b, "VmHWM:")
		rss += parseStatusKiB(b, "VmRSS:")
	}
	return hwm, rss, nil
}

// parseStatusKiB returns the value of a "Key:   N kB" line of
// /proc/PID/status, or 0 when it is missing.
func parseStatusKiB(b []byte, key string) uint64 {
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, key)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0
		}
		v, _ := strconv.ParseUint(f[0], 10, 64)
		return v
	}
	return 0
}
