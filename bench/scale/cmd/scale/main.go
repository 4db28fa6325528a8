// Command scale measures a router daemon serving many links: radish or
// Debian's radvd, started in a network namespace joined to a sink
// namespace by N veth pairs, each link advertising its own /64 with
// MinRtrAdvInterval 3 and MaxRtrAdvInterval 10. A raw ICMPv6 socket in the
// sink counts the Router Advertisements that arrive on every link.
//
// It prints one line per run: CPU seconds the daemon used per minute and
// its resident memory, RAs delivered per link per minute in a steady-state
// window that starts after a warm-up, and the time from daemon start to
// the first RA on each link. See bench/scale/README.md.
//
// It must run as root. Every namespace, link and process it creates is
// removed when it ends, including on SIGINT or SIGTERM; namespaces left by
// a run that was killed outright are removed by the next run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "scale: "+format+"\n", args...)
}

type options struct {
	n                int
	impl             string
	duration, warmup time.Duration
	radish, radvd    string
	pattern          bool
	keep             string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 512, "number of veth links (1..9999)")
	flag.StringVar(&o.impl, "impl", "radish", "daemon to measure: radish or radvd")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "length of the steady-state window")
	flag.DurationVar(&o.warmup, "warmup", 20*time.Second, "time from daemon start to the start of the window")
	flag.StringVar(&o.radish, "radish", "bin/radish", "radish binary (make build)")
	flag.StringVar(&o.radvd, "radvd", "/usr/sbin/radvd", "radvd binary")
	flag.BoolVar(&o.pattern, "pattern", false, "radish: one pattern stanza (one prefix for all links) instead of one stanza per link")
	flag.StringVar(&o.keep, "keep", "", "copy the daemon's configuration and log into this directory")
	flag.Parse()
	if err := o.check(); err != nil {
		logf("%v", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		logf("%v", err)
		os.Exit(1)
	}
}

func (o *options) check() error {
	if os.Geteuid() != 0 {
		return errors.New("must run as root (it creates network namespaces)")
	}
	if o.n < 1 || o.n > 9999 {
		return fmt.Errorf("-n %d: want 1..9999", o.n)
	}
	if o.duration <= 0 || o.warmup < 0 {
		return errors.New("-duration must be positive and -warmup not negative")
	}
	bin := map[string]*string{"radish": &o.radish, "radvd": &o.radvd}[o.impl]
	if bin == nil {
		return fmt.Errorf("-impl %q: want radish or radvd", o.impl)
	}
	p, err := exec.LookPath(*bin)
	if err != nil {
		return fmt.Errorf("%s binary: %w", o.impl, err)
	}
	if *bin, err = filepath.Abs(p); err != nil {
		return err
	}
	if o.pattern && o.impl != "radish" {
		return errors.New("-pattern applies to radish only")
	}
	return nil
}

// loadavg returns the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], "/")
}

// sleepUntil waits until t, returning early with an error when ctx is
// cancelled or the daemon exits.
func sleepUntil(ctx context.Context, t time.Time, d *daemon) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("interrupted: %w", ctx.Err())
	case <-d.done:
		return fmt.Errorf("daemon exited early: %v", d.err)
	case <-timer.C:
		return nil
	}
}

func run(ctx context.Context, o options) (err error) {
	removeStale(ctx)
	dir, err := os.MkdirTemp("", "radish-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	loadBefore := loadavg()

	setupStart := time.Now()
	logf("creating %d veth pairs", o.n)
	l, err := newLab(ctx, o.n, dir)
	defer func() {
		if cerr := l.close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("cleanup: %w", cerr))
		}
	}()
	if err != nil {
		return err
	}
	if err := l.waitLinkLocals(ctx, 120*time.Second); err != nil {
		return err
	}
	setup := time.Since(setupStart)
	logf("lab ready in %.1fs: namespaces %s and %s", setup.Seconds(), l.router, l.sink)

	conf := filepath.Join(dir, o.impl+".conf")
	var text string
	var argv []string
	wantPx := linkPrefix
	switch o.impl {
	case "radvd":
		text = radvdConf(l.links)
		argv = []string{o.radvd, "-n", "-m", "stderr", "-C", conf, "-p", filepath.Join(dir, "radvd.pid")}
	default:
		pattern := ""
		if o.pattern {
			pattern = fmt.Sprintf("sc%dx*", os.Getpid())
			wantPx = func(int) netip.Prefix { return linkPrefix(0) }
		}
		conf = filepath.Join(dir, "radish.toml")
		text = radishConf(l.links, pattern)
		argv = []string{o.radish, "serve", "-c", conf}
	}
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return err
	}
	logPath := filepath.Join(dir, o.impl+".log")
	if o.keep != "" {
		defer keepFiles(o.keep, conf, logPath)
	}

	rcv, err := newReceiver(l.sink, l.links, wantPx)
	if err != nil {
		return err
	}
	// Counters from before the daemon starts, for the whole-run check of
	// the socket against the sink's IPv6 stack.
	kStart, err := readCounters(ctx, l.router, l.sink)
	if err != nil {
		rcv.stop()
		return err
	}
	t0 := time.Now()
	rcv.start(t0)
	d, err := startDaemon(l.router, argv, logPath)
	if err != nil {
		rcv.stop()
		return err
	}
	defer d.stop(5 * time.Second)
	logf("%s started (pid %d); window %v..%v after start", o.impl, d.pid(), o.warmup, o.warmup+o.duration)

	fail := func(err error) error {
		rcv.stop()
		if tail := logTail(logPath, 10); tail != "" {
			err = fmt.Errorf("%w\nlast lines of the %s log:\n%s", err, o.impl, tail)
		}
		return err
	}
	from, to := o.warmup, o.warmup+o.duration
	if err := sleepUntil(ctx, t0.Add(from), d); err != nil {
		return fail(err)
	}
	tr0, err := processTree(d.pid())
	if err != nil {
		return fail(err)
	}
	k0, err := readCounters(ctx, l.router, l.sink)
	if err != nil {
		return fail(err)
	}
	if err := sleepUntil(ctx, t0.Add(to), d); err != nil {
		return fail(err)
	}
	tr1, err := processTree(d.pid())
	if err != nil {
		return fail(err)
	}
	hwm, rss, err := tr1.memKiB()
	if err != nil {
		return fail(err)
	}
	k1, err := readCounters(ctx, l.router, l.sink)
	if err != nil {
		return fail(err)
	}
	raw6, err := nsFile(ctx, l.sink, "/proc/net/raw6")
	if err != nil {
		return fail(err)
	}
	arrivals, foreign, badPx, rerr := rcv.stop()
	if rerr != nil {
		return fmt.Errorf("receiver: %w", rerr)
	}
	loadAfter := loadavg()
	d.stop(5 * time.Second)

	s := summarize(arrivals, from, to)
	runSock := 0
	for _, ts := range arrivals {
		for _, t := range ts {
			if t < to {
				runSock++
			}
		}
	}
	cpuPerMin := float64(tr1.ticks-tr0.ticks) / clkTck / o.duration.Minutes()
	first := func(v time.Duration) string {
		if s.withRA == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2fs", v.Seconds())
	}
	last := first(s.firstLast)
	if s.withRA < s.links {
		last = fmt.Sprintf("n/a(%d/%d_links_got_one_by_%.0fs)", s.withRA, s.links, to.Seconds())
	}
	perLinkMin := func(n uint64) float64 { return float64(n) / float64(o.n) / o.duration.Minutes() }
	config := "per-link"
	if o.pattern {
		config = "pattern"
	}
	fmt.Printf("impl=%s n=%d config=%s window=%.0fs+%.0fs cpu_s_per_min=%.2f cpu_s_startup=%.2f procs=%d "+
		"rss_peak_mib=%.1f rss_final_mib=%.1f "+
		"ras_per_link_min=%.2f (due=%.2f p1=%.1f p50=%.1f max=%.1f silent_links=%d) "+
		"kernel_sent_per_link_min=%.2f kernel_rcvd_per_link_min=%.2f backlog_drops=%d sock_drops=%d neigh_table_fulls=%d "+
		"first_ra_last_link=%s first_ra_p50=%s first_ra_p99=%s links_with_ra=%d/%d "+
		"run_kernel_sent=%d run_kernel_rcvd=%d run_sock_rcvd=%d sink_noroutes=%d "+
		"bad_prefix=%d foreign=%d setup=%.1fs load=%s..%s\n",
		o.impl, o.n, config, from.Seconds(), o.duration.Seconds(), cpuPerMin, float64(tr0.ticks)/clkTck, len(tr1.pids),
		float64(hwm)/1024, float64(rss)/1024,
		s.rateMean, dueRAsPerMinute, s.rateP1, s.rateP50, s.rateMax, s.silent,
		perLinkMin(k1.sentRAs-k0.sentRAs), perLinkMin(k1.rcvdRAs-k0.rcvdRAs), k1.backlogDrop-k0.backlogDrop, rawDrops(raw6), k1.neighFull-k0.neighFull,
		last, first(s.firstP50), first(s.firstP99), s.withRA, s.links,
		k1.sentRAs-kStart.sentRAs, k1.rcvdRAs-kStart.rcvdRAs, runSock, k1.noRoutes-kStart.noRoutes,
		badPx, foreign, setup.Seconds(), loadBefore, loadAfter)
	return nil
}

// keepFiles copies the named files into dir.
func keepFiles(dir string, files ...string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		logf("keep: %v", err)
		return
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
		}
		if err != nil {
			logf("keep: %v", err)
		}
	}
}
