package server

import (
	"errors"
	"time"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/iface"
)

// Buffer sizes. A request larger than recvSize is dropped (counted as
// pkt6-receive-truncated and pkt6-parse-failed); replies are built into
// sendSize buffers (a larger one, possible only with huge relay chains and
// option sets, makes append grow the buffer once).
const (
	recvSize = 8192
	sendSize = 16384
	// DefaultBatch is how many datagrams one ReadBatch asks for when the
	// conn is an iface.BatchConn and Options.Batch is zero.
	DefaultBatch = 16
)

// loop is one socket loop: the goroutine that reads the conn, answers and
// writes. It owns its buffers and its RelayChain, and is the only user of
// the Server's current rate limiter.
type loop struct {
	s        *Server
	counters *Counters
	chain    dhcpv6.RelayChain

	// ReadFrom path.
	rbuf, sbuf []byte
	rmeta      iface.Meta
	smeta      iface.Meta

	// ReadBatch path.
	rbufs  [][]byte
	rlens  []int
	rmetas []iface.Meta
	sstore [][]byte
	sbufs  [][]byte
	smetas []iface.Meta
	stypes []dhcpv6.MessageType

	lastSendWarn time.Time // when failed sends were last logged at warn level
	sendFails    uint64    // failed sends since then
}

func newLoop(s *Server, batch int) *loop {
	l := &loop{s: s, counters: &s.counters}
	if _, ok := s.conn.(iface.BatchConn); ok {
		l.rbufs = make([][]byte, batch)
		l.sstore = make([][]byte, batch)
		for i := range batch {
			l.rbufs[i] = make([]byte, recvSize)
			l.sstore[i] = make([]byte, 0, sendSize)
		}
		l.rlens = make([]int, batch)
		l.rmetas = make([]iface.Meta, batch)
		l.sbufs = make([][]byte, batch)
		l.smetas = make([]iface.Meta, batch)
		l.stypes = make([]dhcpv6.MessageType, batch)
	} else {
		l.rbuf = make([]byte, recvSize)
		l.sbuf = make([]byte, 0, sendSize)
	}
	return l
}

// run reads until the conn is closed. It returns nil after Close.
func (l *loop) run() error {
	if bc, ok := l.s.conn.(iface.BatchConn); ok {
		return l.runBatch(bc)
	}
	errs := 0
	for {
		n, err := l.s.conn.ReadFrom(l.rbuf, &l.rmeta)
		if err != nil {
			if errors.Is(err, iface.ErrClosed) {
				return nil
			}
			l.readError(err, &errs)
			continue
		}
		errs = 0
		if l.truncated(n, len(l.rbuf)) {
			continue
		}
		out, typ, ok := l.handle(l.s.tab.Load(), l.rbuf[:n], &l.rmeta, l.sbuf, &l.smeta)
		if !ok {
			continue
		}
		if cap(out) > cap(l.sbuf) {
			l.sbuf = out[:0] // keep a buffer that had to grow
		}
		if _, err := l.s.conn.WriteTo(out, &l.smeta); err != nil {
			if errors.Is(err, iface.ErrClosed) {
				return nil
			}
			l.sendError(err)
			continue
		}
		l.countSent(typ)
	}
}

func (l *loop) runBatch(bc iface.BatchConn) error {
	errs := 0
	for {
		n, err := bc.ReadBatch(l.rbufs, l.rlens, l.rmetas)
		if err != nil {
			if errors.Is(err, iface.ErrClosed) {
				return nil
			}
			l.readError(err, &errs)
			continue
		}
		errs = 0
		tab := l.s.tab.Load()
		k := 0
		for i := range n {
			if l.truncated(l.rlens[i], len(l.rbufs[i])) {
				continue
			}
			out, typ, ok := l.handle(tab, l.rbufs[i][:l.rlens[i]], &l.rmetas[i], l.sstore[k], &l.smetas[k])
			if !ok {
				continue
			}
			if cap(out) > cap(l.sstore[k]) {
				l.sstore[k] = out[:0] // keep a buffer that had to grow
			}
			l.sbufs[k], l.stypes[k] = out, typ
			k++
		}
		for off := 0; off < k; {
			sent, err := bc.WriteBatch(l.sbufs[off:k], l.smetas[off:k])
			for _, t := range l.stypes[off : off+sent] {
				l.countSent(t)
			}
			off += sent
			if err != nil {
				if errors.Is(err, iface.ErrClosed) {
					return nil
				}
				l.sendError(err)
				off++ // skip the datagram that failed
			}
		}
	}
}

// truncated drops a datagram that filled the whole receive buffer: it may
// have been cut short.
func (l *loop) truncated(n, size int) bool {
	if n < size {
		return false
	}
	l.counters.Received.Add(1)
	l.counters.ReceiveTruncated.Add(1)
	l.counters.drop(&l.counters.ParseFailed)
	return true
}

func (l *loop) countSent(t dhcpv6.MessageType) {
	l.counters.Sent.Add(1)
	if t == dhcpv6.Advertise {
		l.counters.AdvertiseSent.Add(1)
	} else {
		l.counters.ReplySent.Add(1)
	}
}

// sendWarnEvery bounds how often failed sends are logged at warn level.
const sendWarnEvery = time.Minute

func (l *loop) sendError(err error) {
	l.counters.SendFailed.Add(1)
	l.sendFails++
	// A send that fails is a reply a client never gets: say so at warn
	// level, at most once a minute, with the count since the last time.
	if now := time.Now(); now.Sub(l.lastSendWarn) >= sendWarnEvery {
		l.s.log.Warn("dhcpv6: replies could not be sent", "err", err, "failed", l.sendFails)
		l.lastSendWarn, l.sendFails = now, 0
		return
	}
	l.s.log.Debug("dhcpv6: send failed", "err", err)
}

// readError logs a failed read at debug level and, after many in a row,
// pauses briefly so that a persistent error does not spin the loop.
func (l *loop) readError(err error, consecutive *int) {
	*consecutive++
	if *consecutive == 1 || *consecutive%1000 == 0 {
		l.s.log.Debug("dhcpv6: read failed", "err", err, "consecutive", *consecutive)
	}
	if *consecutive > 10 {
		time.Sleep(10 * time.Millisecond)
	}
}
