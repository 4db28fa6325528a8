package daemon_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/daemon"
)

// The test binary doubles as a fake radvd: with roleEnv set, TestMain runs
// fakeRadvd instead of the tests. Its command line is radvd-like; only -p
// is interpreted.
const (
	roleEnv      = "DAEMONTEST_ROLE"
	timeoutEnv   = "DAEMONTEST_TIMEOUT"    // Detach timeout
	stopDelayEnv = "DAEMONTEST_STOP_DELAY" // time spent "sending final RAs"
)

func TestMain(m *testing.M) {
	role := os.Getenv(roleEnv)
	if role == "" {
		// Detached children are orphaned when their launcher exits; as a
		// subreaper the test process inherits them and can reap them.
		const prSetChildSubreaper = 36
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
		os.Exit(m.Run())
	}
	os.Exit(fakeRadvd(role))
}

func argAfter(flag string) string {
	for i, a := range os.Args {
		if a == flag && i+1 < len(os.Args) {
			return os.Args[i+1]
		}
	}
	return ""
}

func fakeRadvd(role string) int {
	pidfile := argAfter("-p")
	switch role {
	case "drop":
		return fakeDrop()
	case "dropkeep":
		return fakeDropKeep()
	case "chroot":
		return fakeChroot()
	case "startat":
		return fakeStartAt(pidfile)
	case "chrootlog":
		return fakeChrootLog()
	}
	timeout, _ := time.ParseDuration(os.Getenv(timeoutEnv))
	parent, err := daemon.Detach(daemon.DetachConfig{Pidfile: pidfile, Timeout: timeout})
	if parent {
		if err != nil {
			fmt.Fprintln(os.Stderr, "radvd:", err)
			return 1
		}
		return 0
	}
	if err != nil {
		return 2
	}
	// The child: record what the tests cannot see from outside.
	_, marker := os.LookupEnv(daemon.EnvNotifyFD)
	os.WriteFile(pidfile+".child", []byte("marker="+strconv.FormatBool(marker)+" detached="+strconv.FormatBool(daemon.Detached())+
		" pid="+strconv.Itoa(os.Getpid())+"\n"), 0o644)
	switch role {
	case "fail":
		daemon.Fail("radvd.conf:3: syntax error\nexiting, failed to read config file")
		return 1
	case "exit":
		return 3
	case "hang":
		time.Sleep(time.Hour)
		return 0
	}
	sigs := daemon.NotifySignals()
	if err := daemon.WritePidfile(pidfile); err != nil {
		daemon.Fail(err.Error())
		return 1
	}
	if err := daemon.Ready(); err != nil {
		return 1
	}
	for e := range sigs.Events() {
		if e == daemon.Terminate || e == daemon.Interrupt {
			break
		}
	}
	daemon.ReleasePidfile() // as radvdmode does before its final RAs
	d, _ := time.ParseDuration(os.Getenv(stopDelayEnv))
	time.Sleep(d)
	if _, err := daemon.RemovePidfileIfOurs(pidfile); err != nil {
		return 1
	}
	return 0
}

func fakeDrop() int {
	if err := daemon.DropPrivileges(argAfter("-u")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Every thread must have switched.
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		fmt.Printf("%s\n", grepLines(string(b), "Uid:", "Gid:", "Groups:"))
	}
	if syscall.Setuid(0) == nil {
		fmt.Println("regained root")
	}
	return 0
}

// fakeDropKeep drops to -u USER keeping CAP_NET_ADMIN and CAP_NET_RAW,
// then prints whether they were kept, each thread's credentials and
// capability sets, and whether the kept capabilities work: a network
// sysctl written and a raw socket opened as the unprivileged user.
func fakeDropKeep() int {
	c, err := daemon.LookupUser(argAfter("-u"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	kept, err := c.DropKeeping(daemon.CapNetAdmin, daemon.CapNetRaw)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("kept=%v\n", kept)
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		fmt.Printf("%s\n", grepLines(string(b), "Uid:", "CapInh:", "CapPrm:", "CapEff:"))
	}
	if syscall.Setuid(0) == nil {
		fmt.Println("regained root")
	}
	if eff, err := daemon.EffectiveCaps(); err == nil {
		fmt.Printf("capget=%#x\n", eff)
	}
	// The loopback's hop_limit: written back unchanged, so the test
	// changes nothing on the machine.
	p := "/proc/sys/net/ipv6/conf/lo/hop_limit"
	if v, err := os.ReadFile(p); err == nil {
		fmt.Printf("sysctl write: %v\n", os.WriteFile(p, v, 0o644))
	}
	fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_RAW, syscall.IPPROTO_ICMPV6)
	if err == nil {
		syscall.Close(fd)
	}
	fmt.Printf("raw socket: %v\n", err)
	return 0
}

func fakeChroot() int {
	c, err := daemon.LookupUser(argAfter("-u"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := daemon.Chroot(argAfter("-t")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := c.Drop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	b, err := os.ReadFile("/inside")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	wd, _ := os.Getwd()
	fmt.Printf("%s wd=%s uid=%d", b, wd, os.Getuid())
	return 0
}

// fakeStartAt waits for the instant in DAEMONTEST_AT (Unix ns), writes
// the pidfile, prints "serving" or "refused: ERR", and holds the pidfile
// for DAEMONTEST_HOLD.
func fakeStartAt(pidfile string) int {
	at, _ := strconv.ParseInt(os.Getenv("DAEMONTEST_AT"), 10, 64)
	time.Sleep(time.Until(time.Unix(0, at)))
	if err := daemon.WritePidfile(pidfile); err != nil {
		fmt.Println("refused:", err)
		return 1
	}
	fmt.Println("serving", os.Getpid())
	hold, _ := time.ParseDuration(os.Getenv("DAEMONTEST_HOLD"))
	time.Sleep(hold)
	daemon.RemovePidfileIfOurs(pidfile)
	return 0
}

// fakeChrootLog opens -l FILE with the logfile method and logs a line,
// moves FILE aside (as logrotate would), chroots to -t DIR, pins the log
// (as radvdmode does after -t), reopens it and logs another line.
func fakeChrootLog() int {
	logfile, dir := argAfter("-l"), argAfter("-t")
	log, out, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogFile, Logfile: logfile})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	log.Info("before the chroot")
	if err := os.Rename(logfile, logfile+".1"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := daemon.Chroot(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out.Pin()
	if err := out.Reopen(); err != nil {
		fmt.Fprintln(os.Stderr, "reopen:", err)
		return 1
	}
	log.Info("after the reopen")
	out.Close()
	return 0
}
