package demux

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/radish-net/radish/iface"
)

// Defaults for Options fields left zero.
const (
	DefaultSlots    = 64   // queued packets waiting for the server
	DefaultSlotSize = 8192 // bytes per queued packet, the server's receive size
	DefaultBatch    = 16   // packets per ReadBatch of the kernel UDP conn
)

// Errors, returned unwrapped.
var (
	// ErrLinkGone is returned by ServerConn writes routed to a Link that
	// has closed since the request was read.
	ErrLinkGone = errors.New("demux: packet-transport link closed")
	// ErrServing is returned by Serve while an earlier ServerConn is open.
	ErrServing = errors.New("demux: a server conn is already open")
	// ErrNotJoined is returned by LeaveGroup for a group never joined.
	ErrNotJoined = errors.New("demux: multicast group not joined")
)

// Options configure a Mux.
type Options struct {
	// Slots is the number of packets the queue holds (DefaultSlots if 0).
	Slots int
	// SlotSize is the largest packet queued, in bytes (DefaultSlotSize
	// if 0); larger packets from a Link are dropped (Counters.Oversize).
	SlotSize int
	// Batch is the most packets one read of a kernel conn that is an
	// iface.BatchConn moves (DefaultBatch if 0).
	Batch int
	// OnError, if set, receives control-plane failures: a multicast group
	// that could not move between a Link and the kernel conn. It must
	// not call back into the Mux.
	OnError func(error)
}

// Counters are a Mux's packet counters.
type Counters struct {
	Forwarded atomic.Uint64 // UDP packets from Links queued for the server
	Kernel    atomic.Uint64 // packets read from the kernel UDP conn
	// KernelDuplicate counts kernel packets dropped because their ingress
	// link has a registered Link, which reads the same packets: those sent
	// to a multicast or link-local unicast address.
	KernelDuplicate atomic.Uint64
	// NotForUs counts UDP packets from Links dropped because they were
	// sent to a global (or unique local) unicast address: either the
	// kernel is forwarding them to another host, or they are for one of
	// this host's addresses, which the kernel socket delivers.
	NotForUs      atomic.Uint64
	QueueFull     atomic.Uint64 // UDP packets from Links dropped: no free slot
	NoServer      atomic.Uint64 // UDP packets from Links dropped: no ServerConn open
	Oversize      atomic.Uint64 // UDP packets from Links dropped: longer than SlotSize
	ReceiveErrors atomic.Uint64 // kernel UDP conn read errors other than close
}

// Mux connects per-link packet conns and the kernel UDP conn to one
// server conn. Create it with New; its methods are safe for concurrent
// use.
type Mux struct {
	opts     Options
	counters Counters
	table    atomic.Pointer[map[int]*Link] // immutable; replaced on change
	srv      atomic.Pointer[ServerConn]

	mu     sync.Mutex // control plane: everything below
	links  map[int]*Link
	groups map[groupKey]*groupState
	serve  *ServerConn // the open ServerConn, as srv
}

type groupKey struct {
	ifIndex int
	group   netip.Addr
}

type groupState struct {
	kernel bool  // joined on the kernel conn
	link   *Link // joined on this Link's conn
}

// New returns a Mux with no Link and no ServerConn.
func New(opts Options) *Mux {
	if opts.Slots <= 0 {
		opts.Slots = DefaultSlots
	}
	if opts.SlotSize <= 0 {
		opts.SlotSize = DefaultSlotSize
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	x := &Mux{opts: opts, links: make(map[int]*Link), groups: make(map[groupKey]*groupState)}
	x.table.Store(&map[int]*Link{})
	return x
}

// Counters returns the Mux's live counters.
func (x *Mux) Counters() *Counters { return &x.counters }

func (x *Mux) report(err error) {
	if err != nil && x.opts.OnError != nil {
		x.opts.OnError(err)
	}
}

// publish stores a copy of x.links for the packet path. x.mu is held.
func (x *Mux) publish() {
	t := maps.Clone(x.links)
	x.table.Store(&t)
}

// route returns the registered Link of ifIndex, or nil.
func (x *Mux) route(ifIndex int) *Link {
	return (*x.table.Load())[ifIndex]
}

// Link registers c, the packet-transport conn of link ifIndex, and returns
// the conn to use in its place; it takes ownership of c. Groups recorded
// for ifIndex by ServerConn.JoinGroup are joined on c. A Link registered
// later for the same ifindex replaces this one in routing.
func (x *Mux) Link(ifIndex int, c iface.Conn) *Link {
	l := &Link{mux: x, ifIndex: ifIndex, conn: c}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.links[ifIndex] = l
	x.publish()
	for k, st := range x.groups {
		if k.ifIndex != ifIndex {
			continue
		}
		if st.kernel && x.serve != nil {
			if err := x.serve.udp.LeaveGroup(k.ifIndex, k.group); err != nil {
				x.report(fmt.Errorf("link %d: leave %v on the kernel socket: %w", k.ifIndex, k.group, err))
			}
			st.kernel = false
		}
		st.link = nil
		if err := c.JoinGroup(ifIndex, k.group); err != nil {
			x.report(fmt.Errorf("link %d: join %v on the packet transport: %w", k.ifIndex, k.group, err))
			continue
		}
		st.link = l
	}
	return l
}

// unregister removes l from routing and moves its groups back to the
// kernel conn.
func (x *Mux) unregister(l *Link) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.links[l.ifIndex] != l {
		return
	}
	delete(x.links, l.ifIndex)
	x.publish()
	for k, st := range x.groups {
		if st.link != l {
			continue
		}
		st.link = nil
		if x.serve == nil || st.kernel {
			continue
		}
		if err := x.serve.udp.JoinGroup(k.ifIndex, k.group); err != nil {
			x.report(fmt.Errorf("link %d: join %v on the kernel socket: %w", k.ifIndex, k.group, err))
			continue
		}
		st.kernel = true
	}
}

// forward queues a UDP packet read by a Link, or drops and counts it. It
// does not allocate.
func (x *Mux) forward(b []byte, m *iface.Meta) {
	s := x.srv.Load()
	if s == nil {
		x.counters.NoServer.Add(1)
		return
	}
	if len(b) > x.opts.SlotSize {
		x.counters.Oversize.Add(1)
		return
	}
	select {
	case i := <-s.free:
		s.lens[i] = copy(s.slots[i], b)
		s.metas[i] = *m
		s.ready <- i // never blocks: every index is in one place only
		x.counters.Forwarded.Add(1)
	default:
		x.counters.QueueFull.Add(1)
	}
}

// join records group on ifIndex and joins it where the link's packets
// arrive. x.mu is held.
func (x *Mux) join(s *ServerConn, ifIndex int, group netip.Addr) error {
	k := groupKey{ifIndex, group}
	st := x.groups[k]
	if st == nil {
		st = new(groupState)
		x.groups[k] = st
	}
	if l := x.links[ifIndex]; l != nil {
		if st.link == l {
			return nil
		}
		if err := l.conn.JoinGroup(ifIndex, group); err != nil {
			return err
		}
		st.link = l
		return nil
	}
	if st.kernel {
		return nil
	}
	if err := s.udp.JoinGroup(ifIndex, group); err != nil {
		return err
	}
	st.kernel = true
	return nil
}

// leave forgets group on ifIndex and leaves it wherever it was joined.
// x.mu is held.
func (x *Mux) leave(s *ServerConn, ifIndex int, group netip.Addr) error {
	k := groupKey{ifIndex, group}
	st := x.groups[k]
	if st == nil {
		return ErrNotJoined
	}
	delete(x.groups, k)
	var errs []error
	if st.kernel {
		errs = append(errs, s.udp.LeaveGroup(ifIndex, group))
	}
	if st.link != nil && x.links[ifIndex] == st.link {
		errs = append(errs, st.link.conn.LeaveGroup(ifIndex, group))
	}
	return errors.Join(errs...)
}

// Link is a packet-transport conn registered with a Mux. It implements
// iface.Conn for the RA engine: reads return only the packets that are not
// UDP (Router Solicitations) and forward UDP packets to the Mux's server
// side. One goroutine may read while others write.
type Link struct {
	mux     *Mux
	ifIndex int
	conn    iface.Conn
	closed  atomic.Bool
	wmu     sync.Mutex // one writer at a time on conn: the engine or the server
}

var _ iface.Conn = (*Link)(nil)

// IfIndex returns the link's index.
func (l *Link) IfIndex() int { return l.ifIndex }

// Conn returns the wrapped packet conn.
func (l *Link) Conn() iface.Conn { return l.conn }

// ReadFrom returns the next packet without UDP ports; UDP packets read in
// the meantime are queued for the ServerConn when sent to a multicast or
// link-local unicast address, and dropped and counted otherwise. It must
// not retain b or m and does not allocate.
func (l *Link) ReadFrom(b []byte, m *iface.Meta) (int, error) {
	for {
		n, err := l.conn.ReadFrom(b, m)
		if err != nil || m.DstPort == 0 {
			return n, err
		}
		if !linkScoped(m.Dst) {
			// A packet conn also sees the frames that reach this host's
			// MAC only to be routed on, such as a relay's Relay-forward
			// to another DHCPv6 server.
			l.mux.counters.NotForUs.Add(1)
			continue
		}
		if m.IfIndex == 0 {
			m.IfIndex = l.ifIndex
		}
		l.mux.forward(b[:n], m)
	}
}

// linkScoped reports whether dst is an address that a packet conn's copy
// of a packet makes ours: a multicast group (the conn reads only groups
// joined on the link) or a link-local unicast address (never forwarded by
// a router, RFC 4291 §2.5.6, so a frame carrying one to this host's MAC
// is for this host).
func linkScoped(dst netip.Addr) bool {
	return dst.IsMulticast() || dst.IsLinkLocalUnicast()
}

// WriteTo writes through the wrapped conn. It does not allocate.
func (l *Link) WriteTo(b []byte, m *iface.Meta) (int, error) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.conn.WriteTo(b, m)
}

// serverWrite is WriteTo for the ServerConn: a closed link is ErrLinkGone.
func (l *Link) serverWrite(b []byte, m *iface.Meta) (int, error) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed.Load() {
		return 0, ErrLinkGone
	}
	n, err := l.conn.WriteTo(b, m)
	if errors.Is(err, iface.ErrClosed) {
		return n, ErrLinkGone
	}
	return n, err
}

// JoinGroup joins group on the wrapped conn.
func (l *Link) JoinGroup(ifIndex int, group netip.Addr) error {
	return l.conn.JoinGroup(ifIndex, group)
}

// LeaveGroup leaves group on the wrapped conn.
func (l *Link) LeaveGroup(ifIndex int, group netip.Addr) error {
	return l.conn.LeaveGroup(ifIndex, group)
}

// Close unregisters the link (its groups move back to the kernel conn)
// and closes the wrapped conn.
func (l *Link) Close() error {
	l.mux.unregister(l)
	l.closed.Store(true)
	return l.conn.Close()
}
