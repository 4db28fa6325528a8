package daemon_test

import (
	"fmt"
	"os"

	"github.com/radish-net/radish/internal/daemon"
)

// Example shows the order in which a radvd-compatible main uses this
// package: detach first (the child redoes everything), then log, open
// sockets, write the pidfile, report readiness, drop privileges, and
// serve signals until told to stop.
func Example() {
	const pidfile = "/run/radvd.pid"
	parent, err := daemon.Detach(daemon.DetachConfig{Pidfile: pidfile})
	if parent {
		if err != nil {
			fmt.Fprintln(os.Stderr, "radvd:", err)
			os.Exit(1)
		}
		os.Exit(0) // the child is up and the pidfile names it
	}
	fail := func(msg string) {
		daemon.Fail(msg) // reaches the original process's stderr
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(1)
	}
	if err != nil {
		fail(err.Error())
	}
	log, out, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogStderrSyslog})
	if err != nil {
		fail(err.Error())
	}
	defer out.Close()

	// ... read the configuration and open the raw ICMPv6 socket here ...

	sigs := daemon.NotifySignals()
	if err := daemon.WritePidfile(pidfile); err != nil {
		fail(err.Error())
	}
	daemon.Ready() // no-op when running in the foreground (-n)
	if err := daemon.DropPrivileges("radvd"); err != nil {
		log.Error("unable to drop root privileges", "err", err)
	}
	for e := range sigs.Events() {
		switch e {
		case daemon.Reload:
			out.Reopen()
			// ... reread the configuration; keep the old one on error ...
		case daemon.ResetLifetimes:
			// ... reset DecrementLifetimes counters ...
		case daemon.Terminate, daemon.Interrupt:
			// ... send the final advertisements ...
			// After dropping privileges this needs a pidfile directory the
			// user may write, as with radvd's -u.
			if _, err := daemon.RemovePidfileIfOurs(pidfile); err != nil {
				log.Warn("pidfile", "err", err)
			}
			log.Info("exiting")
			return
		}
	}
}
