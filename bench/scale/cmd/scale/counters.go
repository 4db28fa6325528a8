package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Kernel counters that tell where RAs went missing: sent by the router's
// IPv6 stack, received by the sink's, dropped on the way.
type counters struct {
	sentRAs     uint64 // router namespace: Icmp6OutRouterAdvertisements
	rcvdRAs     uint64 // sink namespace: Icmp6InRouterAdvertisements
	noRoutes    uint64 // sink namespace: Ip6InNoRoutes (packets dropped on input for want of a route)
	backlogDrop uint64 // host-wide: packets dropped because a CPU's input backlog was full
	neighFull   uint64 // host-wide: IPv6 neighbour table full events (table_fulls)
}

// readCounters reads the counters of the router and sink namespaces.
func readCounters(ctx context.Context, router, sink string) (counters, error) {
	var c counters
	r, err := nsFile(ctx, router, "/proc/net/snmp6")
	if err != nil {
		return c, err
	}
	s, err := nsFile(ctx, sink, "/proc/net/snmp6")
	if err != nil {
		return c, err
	}
	c.sentRAs = snmpValue(r, "Icmp6OutRouterAdvertisements")
	c.rcvdRAs = snmpValue(s, "Icmp6InRouterAdvertisements")
	c.noRoutes = snmpValue(s, "Ip6InNoRoutes")
	sn, err := os.ReadFile("/proc/net/softnet_stat")
	if err != nil {
		return c, err
	}
	c.backlogDrop = softnetDrops(sn)
	// The IPv6 neighbour table, and its limit gc_thresh3, is one for all
	// namespaces: read it from this program's own.
	nd, err := os.ReadFile("/proc/net/stat/ndisc_cache")
	if err != nil {
		return c, err
	}
	c.neighFull = statColumn(nd, "table_fulls")
	return c, nil
}

// nsFile reads a file as seen from inside namespace ns (/proc/net follows
// the reader's network namespace).
func nsFile(ctx context.Context, ns, path string) ([]byte, error) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "cat", path).Output()
	if err != nil {
		return nil, fmt.Errorf("reading %s in %s: %w", path, ns, err)
	}
	return out, nil
}

// snmpValue returns the value of counter key in /proc/net/snmp6 text, or
// 0 when it is missing.
func snmpValue(b []byte, key string) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == key {
			v, _ := strconv.ParseUint(f[1], 10, 64)
			return v
		}
	}
	return 0
}

// softnetDrops sums the second column (hex) of /proc/net/softnet_stat:
// per CPU, the packets dropped because its input backlog queue
// (net.core.netdev_max_backlog) was full.
func softnetDrops(b []byte) uint64 {
	var sum uint64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseUint(f[1], 16, 64)
		sum += v
	}
	return sum
}

// rawDrops sums the drops column (the last) of /proc/net/raw6 text: packets
// the kernel could not queue on a raw IPv6 socket.
func rawDrops(b []byte) uint64 {
	var sum uint64
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		v, _ := strconv.ParseUint(f[len(f)-1], 10, 64)
		sum += v
	}
	return sum
}

// statColumn sums, over the per-CPU lines of a /proc/net/stat table (hex
// values under a header line of names), the column called name.
func statColumn(b []byte, name string) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() {
		return 0
	}
	col := -1
	for i, h := range strings.Fields(sc.Text()) {
		if h == name {
			col = i
		}
	}
	if col < 0 {
		return 0
	}
	var sum uint64
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if col < len(f) {
			v, _ := strconv.ParseUint(f[col], 16, 64)
			sum += v
		}
	}
	return sum
}
