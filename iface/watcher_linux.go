package iface

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// WatcherConfig configures NewWatcher. The zero value watches the calling
// process's network namespace with the kernel's default buffer.
type WatcherConfig struct {
	// NetNS, if not 0, is an open file descriptor of the network namespace
	// (e.g. /run/netns/NAME, /proc/PID/ns/net) whose links and addresses
	// are watched. The descriptor must stay open while Watch runs.
	NetNS int
	// ReadBuffer, if not 0, sets the event socket's receive buffer
	// (SO_RCVBUF) in bytes. A bigger buffer makes overruns rarer on hosts
	// with many links; overruns are handled either way.
	ReadBuffer int
	// Sysctl, if set, fills Link.IPv6Disabled from
	// net.ipv6.conf.IFNAME.disable_ipv6 each time a link is reported, and
	// rereads it on the address events that follow a write of that
	// sysctl (which itself sends no link message), reporting a change as a
	// LinkUpdate. It must read the watched namespace's sysctls.
	Sysctl Sysctl
	// OnError, if set, is called (from the watching goroutine) with each
	// error that made the watcher resynchronise: overruns (ENOBUFS) and
	// failed receives or dumps. Without it such errors are only recovered
	// from.
	OnError func(error)
}

// NetlinkWatcher is the kernel's Watcher: it follows links and IPv6
// addresses over rtnetlink (groups RTNLGRP_LINK and RTNLGRP_IPV6_IFADDR),
// and each link's IPv6 forwarding state (group RTNLGRP_IPV6_NETCONF,
// reported as NetconfUpdate events). If the kernel refuses that group or
// the RTM_GETNETCONF dump, the watcher reports no NetconfUpdate at all
// (the error, if any, goes to WatcherConfig.OnError) and links and
// addresses are followed as usual.
//
// Each Watch opens two netlink sockets: one subscribed to the groups,
// opened before anything is dumped so no change is missed, and one for the
// dumps of links and IPv6 addresses. Events are then applied in the
// kernel's order, so the state a consumer builds is current once Synced
// arrives, even if some events repeat what the dump already said.
//
// When the subscription overruns (ENOBUFS: the kernel dropped events
// because the consumer fell behind) or a receive fails, the watcher
// empties the subscription's queue, dumps again, reports every link and address with LinkUpdate and AddrUpdate,
// reports with LinkDelete and AddrDelete those it had reported before and
// that are gone, then sends Synced again. Failed dumps are retried after a
// second.
//
// The watcher runs one goroutine per Watch, which ends, closing both
// sockets and the channel, when ctx is done.
type NetlinkWatcher struct {
	cfg WatcherConfig
}

var _ Watcher = (*NetlinkWatcher)(nil)

// NewWatcher returns a Watcher over rtnetlink.
func NewWatcher(cfg WatcherConfig) *NetlinkWatcher {
	return &NetlinkWatcher{cfg: cfg}
}

// Watch subscribes to link and address changes and returns the channel of
// events described by Watcher. The channel is unbuffered beyond a small
// queue; a consumer that stops reading eventually causes an overrun, which
// is recovered from as described on NetlinkWatcher.
func (w *NetlinkWatcher) Watch(ctx context.Context) (<-chan Event, error) {
	nc := &netlink.Config{NetNS: w.cfg.NetNS}
	ev, err := netlink.Dial(unix.NETLINK_ROUTE, nc)
	if err != nil {
		return nil, fmt.Errorf("iface: netlink: %w", err)
	}
	for _, g := range []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV6_IFADDR} {
		if err := ev.JoinGroup(g); err != nil {
			ev.Close()
			return nil, fmt.Errorf("iface: netlink group %d: %w", g, err)
		}
	}
	netconf := ev.JoinGroup(unix.RTNLGRP_IPV6_NETCONF) == nil
	if w.cfg.ReadBuffer > 0 {
		if err := ev.SetReadBuffer(w.cfg.ReadBuffer); err != nil {
			ev.Close()
			return nil, fmt.Errorf("iface: netlink read buffer: %w", err)
		}
	}
	dump, err := netlink.Dial(unix.NETLINK_ROUTE, nc)
	if err != nil {
		ev.Close()
		return nil, fmt.Errorf("iface: netlink: %w", err)
	}
	s := &watchState{
		cfg:   &w.cfg,
		ctx:   ctx,
		ev:    ev,
		dump:  dump,
		out:   make(chan Event, 16),
		links: make(map[int]Link),
		addrs: make(map[addrKey]Addr),
		fwd:   make(map[int]bool),
		nc:    netconf,
	}
	stop := context.AfterFunc(ctx, func() { ev.Close() })
	go func() {
		defer stop()
		s.run()
	}()
	return s.out, nil
}

type addrKey struct {
	ifIndex int
	prefix  netip.Prefix
}

// watchState is one Watch: its sockets and what it has reported.
type watchState struct {
	cfg   *WatcherConfig
	ctx   context.Context
	ev    *netlink.Conn
	dump  *netlink.Conn
	out   chan Event
	links map[int]Link
	addrs map[addrKey]Addr
	fwd   map[int]bool // IPv6 forwarding by ifindex, from RTM_NEWNETCONF
	nc    bool         // NetconfUpdate events are reported
}

func (s *watchState) run() {
	defer func() {
		s.ev.Close()
		s.dump.Close()
		close(s.out)
	}()
	for s.ctx.Err() == nil {
		if err := s.drain(); err != nil {
			if s.ctx.Err() != nil {
				return
			}
			s.report(err)
			if !s.sleep() {
				return
			}
			continue
		}
		if err := s.sync(); err != nil {
			s.report(err)
			if !s.sleep() {
				return
			}
			continue
		}
		if err := s.follow(); err != nil {
			if s.ctx.Err() != nil {
				return
			}
			s.report(err)
			if !errors.Is(err, unix.ENOBUFS) && !s.sleep() {
				return
			}
		}
	}
}

// sleep waits a second before a retry; it returns false if ctx is done
// first.
func (s *watchState) sleep() bool {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *watchState) report(err error) {
	if s.cfg.OnError != nil && s.ctx.Err() == nil {
		s.cfg.OnError(err)
	}
}

// drain discards the events queued on the subscription, up to the moment
// it is empty. It runs before each dump: after an overrun the kernel drops
// every new event (without a second ENOBUFS) until the queue has been read
// empty, so a dump taken before draining would miss later changes; and
// what is discarded is older than the dump that follows.
func (s *watchState) drain() error {
	defer s.ev.SetReadDeadline(time.Time{})
	for {
		// A deadline already past would fail the read before any
		// recvmsg; a short one reads what is queued, then times out.
		if err := s.ev.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
			return fmt.Errorf("iface: netlink deadline: %w", err)
		}
		_, err := s.ev.Receive()
		var te interface{ Timeout() bool }
		switch {
		case err == nil, errors.Is(err, unix.ENOBUFS):
		case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &te) && te.Timeout():
			return nil
		default:
			return fmt.Errorf("iface: netlink receive: %w", err)
		}
	}
}

// emit sends e unless ctx is done first.
func (s *watchState) emit(e Event) bool {
	select {
	case s.out <- e:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// follow applies subscription events until a receive fails.
func (s *watchState) follow() error {
	for {
		msgs, err := s.ev.Receive()
		if err != nil {
			if errors.Is(err, unix.ENOBUFS) {
				return fmt.Errorf("iface: netlink overrun, resynchronising: %w", err)
			}
			return fmt.Errorf("iface: netlink receive: %w", err)
		}
		for _, m := range msgs {
			if !s.apply(m, nil) {
				return s.ctx.Err()
			}
		}
	}
}

// dumpAll sends a dump request and returns its messages, retrying when
// the kernel reports the dump was interrupted by a concurrent change.
func (s *watchState) dumpAll(typ netlink.HeaderType, body []byte) ([]netlink.Message, error) {
	var last []netlink.Message
	for range 5 {
		msgs, err := s.dump.Execute(netlink.Message{
			Header: netlink.Header{Type: typ, Flags: netlink.Request | netlink.Dump},
			Data:   body,
		})
		if err != nil {
			return nil, err
		}
		last = msgs
		intr := false
		for _, m := range msgs {
			if m.Header.Flags&netlink.DumpInterrupted != 0 {
				intr = true
				break
			}
		}
		if !intr {
			break
		}
	}
	return last, nil
}

// sync dumps links and IPv6 addresses, reports them, reports what vanished
// since the last sync, then Synced.
func (s *watchState) sync() error {
	lb, _ := (&rtnetlink.LinkMessage{Family: unix.AF_UNSPEC}).MarshalBinary()
	links, err := s.dumpAll(unix.RTM_GETLINK, lb)
	if err != nil {
		return fmt.Errorf("iface: netlink link dump: %w", err)
	}
	ab, _ := (&rtnetlink.AddressMessage{Family: unix.AF_INET6}).MarshalBinary()
	addrs, err := s.dumpAll(unix.RTM_GETADDR, ab)
	if err != nil {
		return fmt.Errorf("iface: netlink address dump: %w", err)
	}
	var confs []netlink.Message
	if s.nc {
		// struct netconfmsg, padded to NLMSG_ALIGN.
		confs, err = s.dumpAll(unix.RTM_GETNETCONF, []byte{unix.AF_INET6, 0, 0, 0})
		if err != nil {
			s.report(fmt.Errorf("iface: netlink netconf dump, forwarding not reported: %w", err))
			s.nc = false
			confs = nil
		}
	}
	seen := &seenSet{links: make(map[int]bool), addrs: make(map[addrKey]bool)}
	for _, m := range links {
		if !s.apply(m, seen) {
			return s.ctx.Err()
		}
	}
	for _, m := range addrs {
		if !s.apply(m, seen) {
			return s.ctx.Err()
		}
	}
	clear(s.fwd)
	for _, m := range confs {
		if !s.apply(m, seen) {
			return s.ctx.Err()
		}
	}
	for k, a := range s.addrs {
		if !seen.addrs[k] {
			delete(s.addrs, k)
			if !s.emit(Event{Kind: AddrDelete, Addr: a}) {
				return s.ctx.Err()
			}
		}
	}
	for i, l := range s.links {
		if !seen.links[i] {
			delete(s.links, i)
			if !s.emit(Event{Kind: LinkDelete, Link: l}) {
				return s.ctx.Err()
			}
		}
	}
	if !s.emit(Event{Kind: Synced}) {
		return s.ctx.Err()
	}
	return nil
}

type seenSet struct {
	links map[int]bool
	addrs map[addrKey]bool
}

// apply turns one netlink message into an event, records it in the state
// (and in seen, during a dump) and emits it. Messages that are not links
// or IPv6 addresses, or that do not decode, are skipped. It returns false
// only when ctx is done.
func (s *watchState) apply(m netlink.Message, seen *seenSet) bool {
	switch m.Header.Type {
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		var lm rtnetlink.LinkMessage
		// Only the generic (AF_UNSPEC) messages describe the link. The
		// kernel also sends per-family ones on the same group: AF_BRIDGE
		// for bridge ports (an RTM_DELLINK of that family only means the
		// port left its bridge) and AF_INET6 for IPv6 settings.
		if err := lm.UnmarshalBinary(m.Data); err != nil || lm.Family != unix.AF_UNSPEC {
			return true
		}
		l := s.link(&lm)
		if m.Header.Type == unix.RTM_DELLINK {
			delete(s.links, l.Index)
			delete(s.fwd, l.Index)
			for k := range s.addrs {
				if k.ifIndex == l.Index {
					delete(s.addrs, k)
				}
			}
			return s.emit(Event{Kind: LinkDelete, Link: l})
		}
		_, known := s.links[l.Index]
		s.links[l.Index] = l
		if seen != nil {
			seen.links[l.Index] = true
		}
		if !s.emit(Event{Kind: LinkUpdate, Link: l}) {
			return false
		}
		// The kernel announces a new link's netconf before the link.
		if fwd, ok := s.fwd[l.Index]; ok && !known && s.nc {
			return s.emit(Event{Kind: NetconfUpdate, Netconf: Netconf{IfIndex: l.Index, Forwarding: fwd}})
		}
		return true
	case unix.RTM_NEWNETCONF, unix.RTM_DELNETCONF:
		if !s.nc {
			return true
		}
		idx, fwd, ok := parseNetconf(m.Data)
		if !ok {
			return true
		}
		if m.Header.Type == unix.RTM_DELNETCONF {
			delete(s.fwd, idx)
			return true
		}
		s.fwd[idx] = fwd
		if _, known := s.links[idx]; !known {
			return true // reported after the link's LinkUpdate
		}
		return s.emit(Event{Kind: NetconfUpdate, Netconf: Netconf{IfIndex: idx, Forwarding: fwd}})
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		var am rtnetlink.AddressMessage
		if err := am.UnmarshalBinary(m.Data); err != nil || am.Family != unix.AF_INET6 {
			return true
		}
		a, ok := addrFromMessage(&am)
		if !ok {
			return true
		}
		k := addrKey{a.IfIndex, a.Prefix}
		if m.Header.Type == unix.RTM_DELADDR {
			delete(s.addrs, k)
			if !s.emit(Event{Kind: AddrDelete, Addr: a}) {
				return false
			}
			return s.recheckDisabled(a.IfIndex, true)
		}
		// An address on a link believed disabled: IPv6 came back on. Say
		// so before the address.
		if !s.recheckDisabled(a.IfIndex, false) {
			return false
		}
		s.addrs[k] = a
		if seen != nil {
			seen.addrs[k] = true
		}
		return s.emit(Event{Kind: AddrUpdate, Addr: a})
	}
	return true
}

// Netconf attributes (linux/netconf.h).
const (
	netconfaIfIndex    = 1
	netconfaForwarding = 2
)

// parseNetconf decodes an AF_INET6 RTM_NEWNETCONF message body (struct
// netconfmsg, padded to 4 bytes, then attributes). It reports ok only for
// a link's message (positive NETCONFA_IFINDEX, not "all" or "default")
// that carries NETCONFA_FORWARDING.
func parseNetconf(b []byte) (ifIndex int, forwarding, ok bool) {
	if len(b) < 4 || b[0] != unix.AF_INET6 {
		return 0, false, false
	}
	ad, err := netlink.NewAttributeDecoder(b[4:])
	if err != nil {
		return 0, false, false
	}
	var haveIdx, haveFwd bool
	for ad.Next() {
		switch ad.Type() {
		case netconfaIfIndex:
			ifIndex, haveIdx = int(int32(ad.Uint32())), true
		case netconfaForwarding:
			forwarding, haveFwd = ad.Uint32() != 0, true
		}
	}
	if ad.Err() != nil || !haveIdx || !haveFwd || ifIndex <= 0 {
		return 0, false, false
	}
	return ifIndex, forwarding, true
}

// recheckDisabled rereads disable_ipv6 of a known link and emits a
// LinkUpdate when it changed. Writing the sysctl sends no link message:
// the kernel only deletes every IPv6 address of the link (disable) or
// adds its link-local address again (enable), so address events are the
// cue. On a deletion the sysctl is read when the link is believed
// enabled; on an addition, only when it is believed disabled, so a dump
// of many addresses costs no reads. It returns false only when ctx is
// done.
func (s *watchState) recheckDisabled(ifIndex int, deleted bool) bool {
	l, ok := s.links[ifIndex]
	if !ok || s.cfg.Sysctl == nil || l.Name == "" || l.IPv6Disabled == deleted {
		return true
	}
	v, err := s.cfg.Sysctl.IPv6(l.Name, "disable_ipv6")
	if err != nil {
		return true
	}
	if disabled := v == "1"; disabled != l.IPv6Disabled {
		l.IPv6Disabled = disabled
		s.links[ifIndex] = l
		return s.emit(Event{Kind: LinkUpdate, Link: l})
	}
	return true
}

// link converts a link message, reading disable_ipv6 if configured.
func (s *watchState) link(lm *rtnetlink.LinkMessage) Link {
	l := linkFromMessage(lm)
	if s.cfg.Sysctl != nil && l.Name != "" {
		if v, err := s.cfg.Sysctl.IPv6(l.Name, "disable_ipv6"); err == nil {
			l.IPv6Disabled = v == "1"
		}
	}
	return l
}

// linkFromMessage converts an RTM_NEWLINK/RTM_DELLINK message. A link is
// Up when it is administratively up (IFF_UP) and operationally up: oper
// state "up", or oper state "unknown" (drivers that do not report it, such
// as loopback) with IFF_RUNNING.
func linkFromMessage(lm *rtnetlink.LinkMessage) Link {
	l := Link{Index: int(lm.Index)}
	a := lm.Attributes
	if a == nil {
		return l
	}
	l.Name = a.Name
	l.MTU = int(a.MTU)
	if len(a.Address) == 6 {
		l.HardwareAddr = [6]byte(a.Address)
	}
	if a.Master != nil {
		l.Master = int(*a.Master)
	}
	admin := lm.Flags&unix.IFF_UP != 0
	oper := a.OperationalState == rtnetlink.OperStateUp ||
		(a.OperationalState == rtnetlink.OperStateUnknown && lm.Flags&unix.IFF_RUNNING != 0)
	l.Up = admin && oper
	return l
}

// addrFromMessage converts an RTM_NEWADDR/RTM_DELADDR message for an IPv6
// address. Flags come from IFA_FLAGS (32 bits) merged with the header's 8
// bits; lifetimes from IFA_CACHEINFO.
func addrFromMessage(am *rtnetlink.AddressMessage) (Addr, bool) {
	a := am.Attributes
	if a == nil {
		return Addr{}, false
	}
	ip := a.Local // for a point-to-point address, IFA_ADDRESS is the peer
	if ip == nil {
		ip = a.Address
	}
	addr, ok := netip.AddrFromSlice(ip)
	if !ok || !addr.Is6() {
		return Addr{}, false
	}
	p, err := addr.Prefix(int(am.PrefixLength))
	if err != nil {
		return Addr{}, false
	}
	return Addr{
		IfIndex:   int(am.Index),
		Prefix:    netip.PrefixFrom(addr, p.Bits()),
		Flags:     AddrFlags(uint32(am.Flags) | a.Flags),
		Preferred: a.CacheInfo.Preferred,
		Valid:     a.CacheInfo.Valid,
	}, true
}
