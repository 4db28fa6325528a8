package ifacetest_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
)

func TestFakeWatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &ifacetest.FakeWatcher{Buffer: 1}
		eth := iface.Link{Index: 2, Name: "eth0", Up: true, MTU: 1500}
		a := iface.Addr{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Valid: iface.Infinite, Preferred: iface.Infinite}
		w.Sync([]iface.Link{eth}, []iface.Addr{a}) // before Watch: kept

		ctx, cancel := context.WithCancel(t.Context())
		ch, err := w.Watch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Watch(ctx); !errors.Is(err, ifacetest.ErrWatching) {
			t.Errorf("second concurrent Watch: %v", err)
		}
		want := []iface.EventKind{iface.LinkUpdate, iface.AddrUpdate, iface.Synced}
		for i, k := range want {
			if e := <-ch; e.Kind != k {
				t.Errorf("event %d: %+v, want kind %d", i, e, k)
			}
		}
		// The buffer grew to 3 for the pending events; a push of 4 more
		// blocks until the consumer reads.
		more := []iface.Event{
			{Kind: iface.LinkUpdate, Link: eth}, {Kind: iface.AddrUpdate, Addr: a},
			{Kind: iface.AddrDelete, Addr: a}, {Kind: iface.LinkDelete, Link: eth},
		}
		pushed := make(chan struct{})
		go func() {
			w.Push(more...)
			close(pushed)
		}()
		synctest.Wait()
		select {
		case <-pushed:
			t.Fatal("Push of 4 events into a 3-event buffer did not block")
		default:
		}
		for i, want := range more {
			if e := <-ch; e != want {
				t.Errorf("event %d: %+v, want %+v", i, e, want)
			}
		}
		<-pushed

		cancel()
		synctest.Wait()
		if _, ok := <-ch; ok {
			t.Error("channel open after ctx done")
		}
		w.Push(iface.Event{Kind: iface.Synced}) // waits for the next Watch
		ch2, err := w.Watch(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if e := <-ch2; e.Kind != iface.Synced {
			t.Errorf("pending event not delivered to the next Watch: %+v", e)
		}
		if w.Watches() != 2 {
			t.Errorf("Watches = %d", w.Watches())
		}
	})
}

func TestFakeWatcherErr(t *testing.T) {
	werr := errors.New("netlink unavailable")
	w := &ifacetest.FakeWatcher{Err: werr}
	if _, err := w.Watch(t.Context()); err != werr {
		t.Errorf("Watch = %v, want %v", err, werr)
	}
}
