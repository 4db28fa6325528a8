package ifacetest

import (
	"context"
	"errors"
	"sync"

	"github.com/radish-net/radish/iface"
)

// ErrWatching is returned by FakeWatcher.Watch while an earlier Watch is
// still running.
var ErrWatching = errors.New("ifacetest: already watching")

// FakeWatcher is an in-memory iface.Watcher whose events the test pushes.
// Events pushed before Watch is called are delivered first when it is; a
// test typically pushes the initial state with Sync, starts the engine,
// then pushes changes.
//
// One Watch may run at a time; when its context is done, the channel is
// closed (by a context.AfterFunc callback, the only goroutine involved) and
// a new Watch may start. Events pushed while no Watch runs wait for the
// next one. The zero value is ready to use; all methods are safe for
// concurrent use.
type FakeWatcher struct {
	// Buffer is the capacity of the channel Watch returns (64 if 0); it
	// grows to hold the events pushed before Watch.
	Buffer int
	// Err, if not nil, is returned by Watch.
	Err error

	mu      sync.Mutex
	ch      chan iface.Event
	ctx     context.Context // of the running Watch, nil if none
	pending []iface.Event
	watches int
}

var _ iface.Watcher = (*FakeWatcher)(nil)

// Watch returns the channel of pushed events, closed when ctx is done.
func (w *FakeWatcher) Watch(ctx context.Context) (<-chan iface.Event, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.Err != nil {
		return nil, w.Err
	}
	if w.ctx != nil {
		return nil, ErrWatching
	}
	size := w.Buffer
	if size <= 0 {
		size = 64
	}
	ch := make(chan iface.Event, max(size, len(w.pending)))
	for _, e := range w.pending {
		ch <- e
	}
	w.pending = nil
	w.ch, w.ctx = ch, ctx
	w.watches++
	context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		close(ch)
		w.ch, w.ctx = nil, nil
	})
	return ch, nil
}

// Push delivers events to the running Watch, in order, blocking while its
// channel is full; events that find no running Watch (or whose Watch ends
// while Push waits) are kept for the next one.
func (w *FakeWatcher) Push(events ...iface.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, e := range events {
		if w.ctx == nil || w.ctx.Err() != nil {
			w.pending = append(w.pending, events[i:]...)
			return
		}
		// Holding mu keeps the AfterFunc from closing ch under the send;
		// the select on ctx lets it proceed once ctx is done.
		select {
		case w.ch <- e:
		case <-w.ctx.Done():
			w.pending = append(w.pending, events[i:]...)
			return
		}
	}
}

// Sync pushes the given state as a Watcher reports it: a LinkUpdate per
// link, an AddrUpdate per address, then Synced.
func (w *FakeWatcher) Sync(links []iface.Link, addrs []iface.Addr) {
	events := make([]iface.Event, 0, len(links)+len(addrs)+1)
	for _, l := range links {
		events = append(events, iface.Event{Kind: iface.LinkUpdate, Link: l})
	}
	for _, a := range addrs {
		events = append(events, iface.Event{Kind: iface.AddrUpdate, Addr: a})
	}
	w.Push(append(events, iface.Event{Kind: iface.Synced})...)
}

// Watches returns how many times Watch has succeeded.
func (w *FakeWatcher) Watches() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.watches
}
