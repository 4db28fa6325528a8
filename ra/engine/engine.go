package engine

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
)

// Protocol constants of RFC 4861 §10 (router and host constants).
const (
	MaxInitialRtrAdvertInterval = 16 * time.Second       // MAX_INITIAL_RTR_ADVERT_INTERVAL
	MaxInitialRtrAdvertisements = 3                      // MAX_INITIAL_RTR_ADVERTISEMENTS
	MaxRADelayTime              = 500 * time.Millisecond // MAX_RA_DELAY_TIME
)

// Engine defaults.
const (
	// DefaultForwardingInterval is how often each served link's
	// forwarding sysctl is re-read (staggered over links) when the Watcher
	// does not report forwarding with NetconfUpdate events. With events,
	// which the kernel's watcher delivers, nothing is polled.
	DefaultForwardingInterval = 60 * time.Second
	// retryInterval is how often a link that is configured and up but
	// cannot be served (no link-local address yet, packet transport
	// failed) is retried.
	retryInterval = 5 * time.Second
	// DefaultRSQueue is the capacity of the queue from the readers to the
	// event loop.
	DefaultRSQueue = 1024
	// maxBatch bounds the distinct unicast answers pending on one link; a
	// fuller batch is answered with one multicast RA.
	maxBatch = 16
	// recvBufSize is each reader's buffer: the largest ICMPv6 message on a
	// jumbo-frame link.
	recvBufSize = 9216
	// CoalesceWindow is how early a timer may fire to share a wakeup of
	// the event loop with an earlier one: when the loop wakes for the
	// earliest deadline it also runs every timer due within this window
	// (see runDue). With many links this divides the wakeups (and the Go
	// scheduler's context switches behind each) by the number of timers
	// falling into one window. RFC 4861's randomisation is in whole
	// intervals: unsolicited RAs are drawn uniformly from [MinInterval,
	// MaxInterval], where MinInterval ≥ 3 s and MaxInterval ≥ 4 s, and
	// answers from [0, MAX_RA_DELAY_TIME = 500 ms]. 20 ms early is at most
	// 2% of the narrowest interval range allowed (1 s: 3 s to 4 s), leaves
	// the draws themselves and so the desynchronisation between routers
	// intact, and keeps answers within [0, 500 ms] after the RS. An
	// interval may thus be up to CoalesceWindow shorter than MinInterval
	// (never longer than MaxInterval); MinDelayBetweenRAs is never
	// shortened: a multicast RA that would break it waits for its exact
	// deadline.
	CoalesceWindow = 20 * time.Millisecond
)

var (
	allNodes   = netip.MustParseAddr("ff02::1")
	allRouters = netip.MustParseAddr("ff02::2")
)

// Options configure an Engine. Config and Watcher are required; at least
// one of Conn and PacketConnFactory should be set for anything to be sent.
type Options struct {
	Config *config.Config
	// Conn is the shared kernel raw ICMPv6 socket (hop limit 255 on send,
	// Meta.HopLimit and Meta.IfIndex filled on receive).
	Conn iface.Conn
	// PacketConnFactory opens a per-link Conn for the packet transport
	// (links without usable kernel IPv6, or Transport = packet). It may be
	// nil: such links are then logged and waited for.
	PacketConnFactory func(link iface.Link) (iface.Conn, error)
	Watcher           iface.Watcher
	// Sysctl reads net.ipv6.conf.IF.forwarding when the Watcher does not
	// report it (no NetconfUpdate before the first Synced), and once when
	// a link starts being served before its first NetconfUpdate. nil, with
	// no NetconfUpdate events, assumes forwarding on.
	Sysctl iface.Sysctl
	Logger *slog.Logger // nil: discard
	// ForwardingInterval is the per-link forwarding re-read period used
	// only without NetconfUpdate events (DefaultForwardingInterval when
	// zero).
	ForwardingInterval time.Duration
	// RSQueue is the reader → loop queue capacity (DefaultRSQueue when zero).
	RSQueue int
	// NeighbourLimit is the kernel's IPv6 neighbour table hard limit
	// (net.ipv6.neigh.default.gc_thresh3), 0 when unknown. Every link
	// served over the kernel transport holds at least one entry (ff02::1,
	// for the multicast RAs) besides one per host it answers; when the
	// table is full the kernel drops RAs after they were sent. The engine
	// warns once when the kernel-transport links reach half the limit.
	NeighbourLimit int
	// IPv4Addr returns the primary IPv4 address of a link by name, the
	// source of Base6to4Interface prefixes (2002:V4ADDR::/48 followed by
	// the configured prefix's other bits, as radvd builds them). It is
	// called on the event loop when a template is compiled and every
	// SixToFourPoll while such a prefix is served. nil: those prefixes
	// are left out (logged).
	IPv4Addr func(ifName string) (netip.Addr, bool)
}

// SixToFourPoll is how often the IPv4 address behind a Base6to4Interface
// prefix is read again; a change is advertised at once (radvd reads it
// for every RA).
const SixToFourPoll = 10 * time.Second

// rsEvent is what a reader hands to the event loop for one valid RS.
type rsEvent struct {
	ifIndex int
	src     netip.Addr
	lla     [6]byte
	hasLLA  bool
}

// Engine is the RA daemon logic. Create it with New and run it with Run.
type Engine struct {
	opts     Options
	log      *slog.Logger
	counters Counters

	rsCh     chan rsEvent
	reloadCh chan *config.Config
	resetCh  chan struct{}
	statusCh chan chan []LinkStatus
	stopCh   chan struct{}
	stopOnce sync.Once
	running  atomic.Bool
	done     chan struct{}
	closing  chan struct{} // closed when Run starts closing the Conns

	pub atomic.Pointer[pubTable] // what readers may look at

	// Event-loop state; touched only by the loop goroutine.
	cfg          *config.Config
	links        map[int]*link
	heap         timerHeap
	timer        *time.Timer
	synced       bool
	netconf      bool // the Watcher reports forwarding (a NetconfUpdate arrived)
	base6        bool // some prefix uses Base6Interface
	dirty        []*link
	due          []*timerEntry // runDue's scratch list
	pubDirty     bool
	kernelServed int  // served links on the kernel transport
	neighWarned  bool // the neighbour table warning was logged
	sendBuf      []byte
	sendMeta     iface.Meta
	readers      sync.WaitGroup
}

// New returns an Engine for opts. It does not start anything.
func New(opts Options) (*Engine, error) {
	if opts.Config == nil {
		return nil, errors.New("engine: no configuration")
	}
	if opts.Watcher == nil {
		return nil, errors.New("engine: no watcher")
	}
	if opts.ForwardingInterval <= 0 {
		opts.ForwardingInterval = DefaultForwardingInterval
	}
	if opts.RSQueue <= 0 {
		opts.RSQueue = DefaultRSQueue
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		opts:     opts,
		log:      log,
		rsCh:     make(chan rsEvent, opts.RSQueue),
		reloadCh: make(chan *config.Config, 1),
		resetCh:  make(chan struct{}, 1),
		statusCh: make(chan chan []LinkStatus),
		stopCh:   make(chan struct{}),
		done:     make(chan struct{}),
		closing:  make(chan struct{}),
		links:    make(map[int]*link),
		sendBuf:  make([]byte, 0, recvBufSize),
	}
	e.setConfig(opts.Config)
	e.pub.Store(&pubTable{links: map[int]*pubLink{}})
	return e, nil
}

// Counters returns the engine's live statistics.
func (e *Engine) Counters() *Counters { return &e.counters }

// Stop ends Run as if its context had been cancelled: final RAs are sent.
func (e *Engine) Stop() { e.stopOnce.Do(func() { close(e.stopCh) }) }

// Reload replaces the configuration. It is applied on the event loop:
// links whose RA bytes change send fast RAs, links no longer configured get
// a final RA. Only the latest of several quick reloads is applied.
func (e *Engine) Reload(cfg *config.Config) {
	if cfg == nil {
		return
	}
	for {
		select {
		case e.reloadCh <- cfg:
			return
		default:
		}
		select {
		case <-e.reloadCh:
		default:
		}
	}
}

// ResetDecrementingLifetimes restarts the countdown of every
// DecrementLifetimes prefix (radvd's SIGUSR1). It does not block.
func (e *Engine) ResetDecrementingLifetimes() {
	select {
	case e.resetCh <- struct{}{}:
	default:
	}
}

// Run serves until ctx is done or Stop is called, then sends the final RAs,
// closes every Conn and returns. It returns an error only when the Watcher
// cannot be started. Run may be called once.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("engine: Run called twice")
	}
	defer close(e.done)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := e.opts.Watcher.Watch(wctx)
	if err != nil {
		e.closeConns()
		return err
	}
	if e.opts.Conn != nil {
		e.startReader(e.opts.Conn, 0)
	}
	e.timer = time.NewTimer(time.Hour)
	e.timer.Stop()
	defer e.timer.Stop()
	e.loop(ctx, events)
	e.shutdown(time.Now())
	cancel()
	for range events { // let the watcher wind down
	}
	e.closeConns()
	e.readers.Wait()
	return nil
}

// loop is the event loop: one goroutine, one timer.
func (e *Engine) loop(ctx context.Context, events <-chan iface.Event) {
	for {
		now := time.Now()
		e.flush(now)
		e.armTimer(now)
		select {
		case <-ctx.Done():
			return
		case <-e.stopCh:
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			e.onEvent(ev, time.Now())
		case rs := <-e.rsCh:
			e.onRS(rs, time.Now())
		case <-e.timer.C:
			e.runDue(time.Now())
		case cfg := <-e.reloadCh:
			e.applyConfig(cfg, time.Now())
		case <-e.resetCh:
			e.resetDecrement(time.Now())
		case reply := <-e.statusCh:
			reply <- e.status()
		}
	}
}

// armTimer resets the single timer to the heap's earliest deadline.
func (e *Engine) armTimer(now time.Time) {
	h := e.heap.head()
	if h == nil {
		e.timer.Stop()
		return
	}
	e.timer.Reset(max(h.when.Sub(now), 0))
}

// runDue fires every heap entry whose deadline has passed, and those due
// within CoalesceWindow that may fire early, in deadline order. Each entry
// is considered once: one that a firing reschedules into the window waits
// for the next wakeup.
func (e *Engine) runDue(now time.Time) {
	limit := now.Add(CoalesceWindow)
	e.due = e.heap.appendBefore(e.due[:0], limit)
	if len(e.due) > 1 {
		slices.SortFunc(e.due, func(a, b *timerEntry) int { return a.when.Compare(b.when) })
	}
	for i, h := range e.due {
		e.due[i] = nil
		// An earlier firing may have moved or cancelled h.
		if !h.scheduled() || h.when.After(limit) || (h.when.After(now) && !e.mayFireEarly(h, now)) {
			continue
		}
		e.heap.cancel(h)
		l := h.link
		switch h.kind {
		case timerAdvert:
			e.fireAdvert(l, now)
		case timerAnswer:
			e.fireAnswer(l, now)
		case timerMaint:
			e.fireMaint(l, now)
		}
	}
	e.due = e.due[:0]
}

// mayFireEarly reports whether h, due after now, may fire now: unless it
// would send a multicast RA sooner than MinDelayBetweenRAs after the last.
func (e *Engine) mayFireEarly(h *timerEntry, now time.Time) bool {
	l := h.link
	switch h.kind {
	case timerAdvert:
	case timerAnswer:
		if !l.pendingMcast {
			return true
		}
	default:
		return true
	}
	return !now.Before(l.earliestMulticast())
}

// closeConns closes the shared Conn and every per-link Conn.
func (e *Engine) closeConns() {
	close(e.closing)
	if e.opts.Conn != nil {
		e.opts.Conn.Close()
	}
	for _, l := range e.links {
		l.closeOwn()
	}
}

// startReader starts the reader goroutine of c. ifIndex is the link of a
// per-link Conn (used when the Conn leaves Meta.IfIndex zero), 0 for the
// shared Conn.
func (e *Engine) startReader(c iface.Conn, ifIndex int) {
	e.readers.Add(1)
	go func() {
		defer e.readers.Done()
		e.readLoop(c, ifIndex)
	}()
}
