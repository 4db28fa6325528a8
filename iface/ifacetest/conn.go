// Package ifacetest provides in-memory fakes of the iface interfaces for
// unit tests of engines: FakeConn (a Conn and BatchConn), FakeWatcher and
// FakeSysctl.
//
// The fakes do no I/O and start no goroutines, so they work inside
// testing/synctest bubbles: a goroutine blocked in FakeConn.ReadFrom or
// waiting on a FakeWatcher channel is durably blocked, and nothing is left
// running after Close or after the Watch context ends.
//
// Like the kernel conns, FakeConn's ReadFrom, WriteTo, ReadBatch and
// WriteBatch do not allocate in steady state (see FakeConn for the
// conditions), so an engine's TestNoAllocs can run through them; Inject
// does not allocate either once its packet slots are warm.
package ifacetest

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/radish-net/radish/iface"
)

// Packet is one packet recorded by FakeConn.WriteTo: a copy of the bytes,
// the Meta they were written with and when.
type Packet struct {
	Data []byte
	Meta iface.Meta
	// At is time.Now() when WriteTo recorded the packet: inside a
	// testing/synctest bubble, the bubble's fake clock.
	At time.Time
}

// Membership is one multicast group joined on one link.
type Membership struct {
	IfIndex int
	Group   netip.Addr
}

// Defaults for a FakeConn whose fields are zero.
const (
	DefaultQueue = 256  // injected packets that may wait for ReadFrom
	DefaultKeep  = 256  // written packets recorded
	slotSize     = 1500 // preallocated bytes per recorded packet
)

// FakeConn is an in-memory iface.Conn and iface.BatchConn. Packets given
// to Inject come out of ReadFrom (in order); packets given to WriteTo are
// recorded for Written. JoinGroup and LeaveGroup maintain a set of
// memberships that Joined and Groups report.
//
// The zero value is ready to use; set the configuration fields before the
// first call. All methods are safe for concurrent use.
//
// Allocation: ReadFrom and ReadBatch never allocate. WriteTo and
// WriteBatch copy each packet into one of Keep preallocated 1500-byte
// slots (a larger packet allocates once for its slot) and do not allocate
// otherwise; with Keep < 0 they record nothing. Inject allocates only when
// more packets are queued at once than ever before.
//
// To give an engine a Conn without the batch methods (to test its
// one-packet path), wrap it: struct{ iface.Conn }{fake}.
type FakeConn struct {
	// Queue is how many injected packets may wait to be read before
	// Inject blocks (DefaultQueue if 0).
	Queue int
	// Keep is how many written packets are recorded: the most recent Keep
	// are kept (DefaultKeep if 0). A negative Keep records nothing, but
	// WriteCount still counts.
	Keep int
	// WriteErr, if not nil, is returned by WriteTo and WriteBatch, and
	// nothing is recorded.
	WriteErr error

	once   sync.Once
	in     chan *slot
	free   chan *slot
	done   chan struct{}
	closed bool // under mu

	mu      sync.Mutex
	ring    []Packet
	next    int // ring index of the next write
	total   int // packets written since creation or ClearWritten
	groups  map[Membership]bool
	joins   map[Membership]int // JoinGroup calls, successful or not
	reads   int                // ReadFrom and ReadBatch calls started
	written chan struct{}      // capacity 1: signals a write to WaitWritten
}

var (
	_ iface.Conn      = (*FakeConn)(nil)
	_ iface.BatchConn = (*FakeConn)(nil)
)

type slot struct {
	buf  []byte
	meta iface.Meta
}

func (c *FakeConn) init() {
	c.once.Do(func() {
		q := c.Queue
		if q <= 0 {
			q = DefaultQueue
		}
		c.in = make(chan *slot, q)
		c.free = make(chan *slot, q)
		c.done = make(chan struct{})
		c.written = make(chan struct{}, 1)
		c.groups = make(map[Membership]bool)
		c.joins = make(map[Membership]int)
		keep := c.Keep
		if keep == 0 {
			keep = DefaultKeep
		}
		if keep > 0 {
			c.ring = make([]Packet, keep)
			backing := make([]byte, keep*slotSize)
			for i := range c.ring {
				c.ring[i].Data = backing[i*slotSize : i*slotSize : (i+1)*slotSize]
			}
		}
	})
}

// Inject queues a packet for ReadFrom, as if it had arrived with metadata
// m. b is copied. It blocks while Queue packets are already waiting, and
// returns iface.ErrClosed after Close.
func (c *FakeConn) Inject(b []byte, m iface.Meta) error {
	c.init()
	var s *slot
	select {
	case s = <-c.free:
	default:
		s = new(slot)
	}
	s.buf = append(s.buf[:0], b...)
	s.meta = m
	select {
	case <-c.done:
		return iface.ErrClosed
	default:
	}
	select {
	case c.in <- s:
		return nil
	case <-c.done:
		return iface.ErrClosed
	}
}

// ReadFrom returns the next injected packet, blocking until there is one
// or the conn is closed. A packet longer than b is truncated to len(b).
func (c *FakeConn) ReadFrom(b []byte, m *iface.Meta) (int, error) {
	c.init()
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	select {
	case <-c.done:
		return 0, iface.ErrClosed
	default:
	}
	select {
	case s := <-c.in:
		return c.deliver(s, b, m), nil
	case <-c.done:
		return 0, iface.ErrClosed
	}
}

func (c *FakeConn) deliver(s *slot, b []byte, m *iface.Meta) int {
	n := copy(b, s.buf)
	*m = s.meta
	select {
	case c.free <- s:
	default:
	}
	return n
}

// ReadBatch blocks for one injected packet, then takes as many more as are
// already queued, up to min(len(bufs), len(lens), len(metas)).
func (c *FakeConn) ReadBatch(bufs [][]byte, lens []int, metas []iface.Meta) (int, error) {
	k := min(len(bufs), len(lens), len(metas))
	if k == 0 {
		return 0, nil
	}
	n, err := c.ReadFrom(bufs[0], &metas[0])
	if err != nil {
		return 0, err
	}
	lens[0] = n
	for i := 1; i < k; i++ {
		select {
		case s := <-c.in:
			lens[i] = c.deliver(s, bufs[i], &metas[i])
		default:
			return i, nil
		}
	}
	return k, nil
}

// WriteTo records a copy of b with m and returns len(b), or WriteErr if
// set, or iface.ErrClosed after Close.
func (c *FakeConn) WriteTo(b []byte, m *iface.Meta) (int, error) {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, iface.ErrClosed
	}
	if c.WriteErr != nil {
		return 0, c.WriteErr
	}
	if len(c.ring) > 0 {
		p := &c.ring[c.next]
		p.Data = append(p.Data[:0], b...)
		p.Meta = *m
		p.At = time.Now()
		c.next = (c.next + 1) % len(c.ring)
	}
	c.total++
	select {
	case c.written <- struct{}{}:
	default:
	}
	return len(b), nil
}

// WriteBatch records each packet as WriteTo does.
func (c *FakeConn) WriteBatch(bufs [][]byte, metas []iface.Meta) (int, error) {
	k := min(len(bufs), len(metas))
	for i := range k {
		if _, err := c.WriteTo(bufs[i], &metas[i]); err != nil {
			return i, err
		}
	}
	return k, nil
}

// Written returns copies of the recorded packets, oldest first (at most
// Keep of them).
func (c *FakeConn) Written() []Packet {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(c.total, len(c.ring))
	out := make([]Packet, 0, n)
	for i := range n {
		p := c.ring[(c.next-n+i+len(c.ring))%len(c.ring)]
		out = append(out, Packet{Data: slices.Clone(p.Data), Meta: p.Meta, At: p.At})
	}
	return out
}

// WriteCount returns how many packets were written since the conn was
// created or ClearWritten was called, recorded or not.
func (c *FakeConn) WriteCount() int {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// ClearWritten forgets the recorded packets and resets WriteCount.
func (c *FakeConn) ClearWritten() {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total, c.next = 0, 0
}

// WaitWritten blocks until WriteCount is at least n or ctx is done. Only
// one goroutine should wait at a time. Inside a synctest bubble,
// synctest.Wait is usually simpler.
func (c *FakeConn) WaitWritten(ctx context.Context, n int) error {
	c.init()
	for {
		if c.WriteCount() >= n {
			return nil
		}
		select {
		case <-c.written:
		case <-ctx.Done():
			return fmt.Errorf("ifacetest: %d of %d packets written: %w", c.WriteCount(), n, ctx.Err())
		}
	}
}

// ErrMembership is returned by JoinGroup for a group already joined on the
// link and by LeaveGroup for one that is not, as the kernel does
// (EADDRINUSE, EADDRNOTAVAIL).
var ErrMembership = errors.New("ifacetest: membership state")

// JoinGroup records the membership.
func (c *FakeConn) JoinGroup(ifIndex int, group netip.Addr) error {
	return c.member(true, ifIndex, group)
}

// LeaveGroup removes the membership.
func (c *FakeConn) LeaveGroup(ifIndex int, group netip.Addr) error {
	return c.member(false, ifIndex, group)
}

func (c *FakeConn) member(join bool, ifIndex int, group netip.Addr) error {
	c.init()
	if !group.Is6() || !group.IsMulticast() {
		return fmt.Errorf("ifacetest: %v is not an IPv6 multicast group", group)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := Membership{ifIndex, group}
	if join {
		c.joins[k]++
	}
	if c.closed {
		return iface.ErrClosed
	}
	if c.groups[k] == join {
		return fmt.Errorf("%w: join=%v %v on ifindex %d", ErrMembership, join, group, ifIndex)
	}
	if join {
		c.groups[k] = true
	} else {
		delete(c.groups, k)
	}
	return nil
}

// Joined reports whether group is joined on link ifIndex.
func (c *FakeConn) Joined(ifIndex int, group netip.Addr) bool {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.groups[Membership{ifIndex, group}]
}

// JoinCalls returns how many times JoinGroup was called for group on link
// ifIndex with a valid group, whether it succeeded or not: an engine that
// joins again when a link comes back up is seen here, while Joined only
// shows the membership the kernel would keep.
func (c *FakeConn) JoinCalls(ifIndex int, group netip.Addr) int {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.joins[Membership{ifIndex, group}]
}

// Reads returns how many reads have started: ReadFrom calls, including
// the one each ReadBatch makes for its first packet. A
// single-reader engine that has handled every injected packet is blocked
// in its next read, so Reads rising past a value taken before an Inject
// means that packet was handled (in real time; inside a synctest bubble,
// synctest.Wait says the same more simply).
func (c *FakeConn) Reads() int {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// SetWriteErr changes WriteErr while the conn is in use: WriteTo and
// WriteBatch fail with err (nil to succeed again).
func (c *FakeConn) SetWriteErr(err error) {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.WriteErr = err
}

// Closed reports whether Close has been called.
func (c *FakeConn) Closed() bool {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Groups returns the memberships, sorted by link then group.
func (c *FakeConn) Groups() []Membership {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Membership, 0, len(c.groups))
	for k := range c.groups {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Membership) int {
		if a.IfIndex != b.IfIndex {
			return a.IfIndex - b.IfIndex
		}
		return a.Group.Compare(b.Group)
	})
	return out
}

// Close unblocks pending reads, which return iface.ErrClosed, as do later
// calls. Closing twice returns iface.ErrClosed.
func (c *FakeConn) Close() error {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return iface.ErrClosed
	}
	c.closed = true
	close(c.done)
	return nil
}
