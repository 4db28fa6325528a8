package demux

import (
	"errors"
	"net/netip"
	"sync"
	"time"

	"github.com/radish-net/radish/iface"
)

// ServerConn is the DHCPv6 server's side of a Mux: an iface.BatchConn
// that reads the kernel UDP conn's packets and the Links' UDP packets from
// one queue and routes writes by Meta.IfIndex. One goroutine may read
// while one other goroutine writes, as with the kernel conn.
type ServerConn struct {
	mux *Mux
	udp iface.Conn

	slots [][]byte
	lens  []int
	metas []iface.Meta
	free  chan int32 // indices of unused slots
	ready chan int32 // indices of filled slots, in arrival order

	closing   chan struct{}
	closeOnce sync.Once
	pumpDone  chan struct{}
}

var _ iface.BatchConn = (*ServerConn)(nil)

// Serve takes ownership of udp, the kernel UDP conn on port 547, starts
// one goroutine reading it, and returns the conn to give the DHCPv6
// server. Links' UDP packets are queued for it from now on. Only one
// ServerConn may be open at a time (ErrServing).
func (x *Mux) Serve(udp iface.Conn) (*ServerConn, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.serve != nil {
		return nil, ErrServing
	}
	n, size := x.opts.Slots, x.opts.SlotSize
	s := &ServerConn{
		mux:      x,
		udp:      udp,
		slots:    make([][]byte, n),
		lens:     make([]int, n),
		metas:    make([]iface.Meta, n),
		free:     make(chan int32, n),
		ready:    make(chan int32, n),
		closing:  make(chan struct{}),
		pumpDone: make(chan struct{}),
	}
	store := make([]byte, n*size)
	for i := range n {
		s.slots[i] = store[i*size : (i+1)*size : (i+1)*size]
		s.free <- int32(i)
	}
	x.serve = s
	x.srv.Store(s)
	go s.pump()
	return s, nil
}

// pump reads the kernel conn into free slots until it is closed, waiting
// for a slot when none is free.
func (s *ServerConn) pump() {
	defer close(s.pumpDone)
	batch := 1
	bc, isBatch := s.udp.(iface.BatchConn)
	if isBatch {
		// Half the slots at most stay with the Links while this reader
		// waits holding its share.
		batch = min(s.mux.opts.Batch, max(1, len(s.slots)/2))
	}
	held := make([]int32, 0, batch)
	bufs := make([][]byte, batch)
	lens := make([]int, batch)
	metas := make([]iface.Meta, batch)
	defer func() {
		for _, i := range held {
			s.free <- i
		}
	}()
	errs := 0
	for {
		if len(held) == 0 {
			select {
			case i := <-s.free:
				held = append(held, i)
			case <-s.closing:
				return
			}
		}
	top:
		for len(held) < batch {
			select {
			case i := <-s.free:
				held = append(held, i)
			default:
				break top
			}
		}
		for k, i := range held {
			bufs[k] = s.slots[i]
		}
		var n int
		var err error
		if isBatch {
			n, err = bc.ReadBatch(bufs[:len(held)], lens[:len(held)], metas[:len(held)])
		} else {
			lens[0], err = s.udp.ReadFrom(bufs[0], &metas[0])
			n = 1
		}
		if err != nil {
			if errors.Is(err, iface.ErrClosed) {
				return
			}
			s.mux.counters.ReceiveErrors.Add(1)
			if errs++; errs > 10 {
				select { // a persistent error must not spin
				case <-s.closing:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
			continue
		}
		errs = 0
		kept := 0 // slots of dropped packets, kept for the next read
		for k := range n {
			i := held[k]
			if metas[k].IfIndex != 0 && linkScoped(metas[k].Dst) && s.mux.route(metas[k].IfIndex) != nil {
				// The link is on the packet transport, whose conn
				// queues every multicast and link-local DHCPv6 packet
				// the link receives: this is the kernel's copy of one.
				// A global unicast is the kernel's to deliver.
				s.mux.counters.KernelDuplicate.Add(1)
				held[kept] = i
				kept++
				continue
			}
			s.lens[i], s.metas[i] = lens[k], metas[k]
			s.ready <- i
		}
		s.mux.counters.Kernel.Add(uint64(n))
		held = held[:kept+copy(held[kept:], held[n:])]
	}
}

// take copies slot i into b and m and frees the slot.
func (s *ServerConn) take(i int32, b []byte, m *iface.Meta) int {
	n := copy(b, s.slots[i][:s.lens[i]])
	*m = s.metas[i]
	s.free <- i
	return n
}

// ReadFrom returns the next queued packet. A packet longer than b is
// truncated to len(b). It must not retain b or m and does not allocate.
func (s *ServerConn) ReadFrom(b []byte, m *iface.Meta) (int, error) {
	select {
	case <-s.closing:
		return 0, iface.ErrClosed
	case i := <-s.ready:
		return s.take(i, b, m), nil
	}
}

// ReadBatch blocks for one queued packet and returns it with those
// already queued behind it, up to the shortest of bufs, lens and metas.
// It does not allocate.
func (s *ServerConn) ReadBatch(bufs [][]byte, lens []int, metas []iface.Meta) (int, error) {
	limit := min(len(bufs), len(lens), len(metas))
	if limit == 0 {
		return 0, nil
	}
	n, err := s.ReadFrom(bufs[0], &metas[0])
	if err != nil {
		return 0, err
	}
	lens[0] = n
	k := 1
	for k < limit {
		select {
		case i := <-s.ready:
			lens[k] = s.take(i, bufs[k], &metas[k])
			k++
		default:
			return k, nil
		}
	}
	return k, nil
}

// WriteTo sends b to the registered Link of m.IfIndex, or through the
// kernel conn when there is none. It does not allocate.
func (s *ServerConn) WriteTo(b []byte, m *iface.Meta) (int, error) {
	if s.isClosed() {
		return 0, iface.ErrClosed
	}
	if l := s.mux.route(m.IfIndex); l != nil {
		return l.serverWrite(b, m)
	}
	return s.udp.WriteTo(b, m)
}

// WriteBatch sends each packet as WriteTo does, runs of packets for the
// kernel conn in one WriteBatch when it is an iface.BatchConn. It returns
// the number sent before the first failure. It does not allocate.
func (s *ServerConn) WriteBatch(bufs [][]byte, metas []iface.Meta) (int, error) {
	if s.isClosed() {
		return 0, iface.ErrClosed
	}
	n := min(len(bufs), len(metas))
	bc, isBatch := s.udp.(iface.BatchConn)
	for i := 0; i < n; {
		if l := s.mux.route(metas[i].IfIndex); l != nil {
			if _, err := l.serverWrite(bufs[i], &metas[i]); err != nil {
				return i, err
			}
			i++
			continue
		}
		if !isBatch {
			if _, err := s.udp.WriteTo(bufs[i], &metas[i]); err != nil {
				return i, err
			}
			i++
			continue
		}
		j := i + 1
		for j < n && s.mux.route(metas[j].IfIndex) == nil {
			j++
		}
		sent, err := bc.WriteBatch(bufs[i:j], metas[i:j])
		if err != nil {
			return i + sent, err
		}
		i += sent
		if i < j && sent == 0 {
			return i, errShortWrite
		}
	}
	return n, nil
}

var errShortWrite = errors.New("demux: kernel conn wrote no packet")

// JoinGroup joins group on link ifIndex: on its packet conn while a Link
// is registered for it, on the kernel conn otherwise. The group is
// recorded either way, so that it follows the link between transports.
func (s *ServerConn) JoinGroup(ifIndex int, group netip.Addr) error {
	x := s.mux
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.serve != s {
		return iface.ErrClosed
	}
	return x.join(s, ifIndex, group)
}

// LeaveGroup leaves a group joined with JoinGroup.
func (s *ServerConn) LeaveGroup(ifIndex int, group netip.Addr) error {
	x := s.mux
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.serve != s {
		return iface.ErrClosed
	}
	return x.leave(s, ifIndex, group)
}

func (s *ServerConn) isClosed() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// Close stops queueing, leaves the groups joined on Links, closes the
// kernel conn and waits for its reader. Pending and later reads return
// iface.ErrClosed; a second Close returns iface.ErrClosed.
func (s *ServerConn) Close() error {
	closed := false
	s.closeOnce.Do(func() { closed = true })
	if !closed {
		return iface.ErrClosed
	}
	x := s.mux
	x.mu.Lock()
	if x.serve == s {
		x.serve = nil
		x.srv.Store(nil)
		for k, st := range x.groups {
			if st.link != nil && x.links[k.ifIndex] == st.link {
				x.report(st.link.conn.LeaveGroup(k.ifIndex, k.group))
			}
		}
		clear(x.groups)
	}
	x.mu.Unlock()
	close(s.closing)
	err := s.udp.Close()
	<-s.pumpDone
	return err
}
