package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// receiver counts the Router Advertisements arriving on the sink's links
// through one raw ICMPv6 socket opened inside the sink namespace. The
// kernel joins ff02::1 on every IPv6 link, so multicast RAs reach it
// without any group membership of its own.
type receiver struct {
	conn   *ipv6.PacketConn
	t0     time.Time
	wantPx func(link int) netip.Prefix // the prefix link i should carry
	done   chan struct{}

	mu       sync.Mutex
	link     map[int]int       // sink ifindex -> link number
	arrivals [][]time.Duration // per link: arrival times since t0
	foreign  int               // RAs on links not in the lab (lo)
	badPx    int               // RAs without the link's expected prefix
	readErr  error
}

// raType is the ICMPv6 type of a Router Advertisement (RFC 4861 §4.2).
const raType = 134

// newReceiver opens the socket in namespace sink and maps the sink's
// interface indexes to positions in links.
func newReceiver(sink string, links []string, wantPx func(int) netip.Prefix) (*receiver, error) {
	r := &receiver{
		wantPx:   wantPx,
		done:     make(chan struct{}),
		link:     make(map[int]int, len(links)),
		arrivals: make([][]time.Duration, len(links)),
	}
	pos := make(map[string]int, len(links))
	for i, name := range links {
		pos[name] = i
	}
	var c net.PacketConn
	err := inNamespace(sink, func() error {
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		for _, ifi := range ifs {
			if i, ok := pos[ifi.Name]; ok {
				r.link[ifi.Index] = i
			}
		}
		c, err = net.ListenPacket("ip6:ipv6-icmp", "::")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	if len(r.link) != len(links) {
		c.Close()
		return nil, fmt.Errorf("receiver: sink has %d of %d links", len(r.link), len(links))
	}
	r.conn = ipv6.NewPacketConn(c)
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeRouterAdvertisement)
	if err := r.conn.SetICMPFilter(&f); err != nil {
		c.Close()
		return nil, fmt.Errorf("receiver: ICMPv6 filter: %w", err)
	}
	if err := r.conn.SetControlMessage(ipv6.FlagInterface, true); err != nil {
		c.Close()
		return nil, fmt.Errorf("receiver: IPV6_RECVPKTINFO: %w", err)
	}
	// Room for a few seconds of RAs from every link should the reader be
	// descheduled on a busy machine (SO_RCVBUFFORCE ignores rmem_max).
	if sc, err := c.(*net.IPConn).SyscallConn(); err == nil {
		_ = sc.Control(func(fd uintptr) {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 16<<20)
		})
	}
	return r, nil
}

// start begins counting; arrival times are measured from t0.
func (r *receiver) start(t0 time.Time) {
	r.t0 = t0
	go r.loop()
}

func (r *receiver) loop() {
	defer close(r.done)
	buf := make([]byte, 65536)
	for {
		n, cm, _, err := r.conn.ReadFrom(buf)
		at := time.Since(r.t0)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.mu.Lock()
				r.readErr = err
				r.mu.Unlock()
			}
			return
		}
		if n < 16 || buf[0] != raType || cm == nil {
			continue
		}
		r.mu.Lock()
		if i, ok := r.link[cm.IfIndex]; ok {
			r.arrivals[i] = append(r.arrivals[i], at)
			if !hasPrefix(buf[:n], r.wantPx(i)) {
				r.badPx++
			}
		} else {
			r.foreign++
		}
		r.mu.Unlock()
	}
}

// stop closes the socket and returns the arrivals per link.
func (r *receiver) stop() (arrivals [][]time.Duration, foreign, badPx int, err error) {
	r.conn.Close()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.arrivals, r.foreign, r.badPx, r.readErr
}

// hasPrefix reports whether the ICMPv6 Router Advertisement msg carries a
// Prefix Information option (RFC 4861 §4.6.2) for p.
func hasPrefix(msg []byte, p netip.Prefix) bool {
	const raHeader = 16 // ICMPv6 header and RA fields before the options
	opts := msg[raHeader:]
	for len(opts) >= 8 {
		l := int(opts[1]) * 8
		if l == 0 || l > len(opts) {
			return false
		}
		if opts[0] == 3 && l == 32 {
			a := netip.AddrFrom16([16]byte(opts[16:32]))
			if int(opts[2]) == p.Bits() && a == p.Addr() {
				return true
			}
		}
		opts = opts[l:]
	}
	return false
}
