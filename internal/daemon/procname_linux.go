package daemon

import (
	"os"
	"path/filepath"
	"syscall"
	"unsafe"
)

// SetProcessName sets the process name (comm, at most 15 bytes) shown by
// ps, top and pidof, for the "radish radvd ARGS" form, where the kernel
// named the process after the radish binary.
//
// Installed as /usr/sbin/radvd no call is needed: the kernel names the
// process after the basename of the executed path. In the "radish radvd"
// form readlink /proc/PID/exe still reads the radish binary's path and
// /proc/PID/cmdline still starts with "radish"; callers that check those
// (OpenStack rootwrap, start-stop-daemon --exec) need the installed form.
//
// The name is written to /proc/self/task/*/comm, which renames every
// thread including the thread-group leader whose name ps and pidof show;
// prctl(PR_SET_NAME), which renames only the calling thread (not
// necessarily the leader in a Go program), is the fallback without /proc.
func SetProcessName(name string) error {
	if len(name) > 15 {
		name = name[:15]
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/comm")
	if len(tasks) == 0 {
		return prctlSetName(name)
	}
	var first error
	for _, p := range tasks {
		if err := os.WriteFile(p, []byte(name), 0); err != nil && first == nil && !os.IsNotExist(err) {
			first = err
		}
	}
	return first
}

func prctlSetName(name string) error {
	const prSetName = 15
	b := append([]byte(name), 0)
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetName, uintptr(unsafe.Pointer(&b[0])), 0); e != 0 {
		return e
	}
	return nil
}
