package ifacetest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
)

var (
	ll     = netip.MustParseAddr("fe80::1")
	allRtr = netip.MustParseAddr("ff02::2")
	allNd  = netip.MustParseAddr("ff02::1")
)

// echo is a tiny engine: it answers every packet by writing it back to
// its sender after delay, until the conn is closed.
func echo(c iface.Conn, delay time.Duration) error {
	buf := make([]byte, 1500)
	for {
		var m iface.Meta
		n, err := c.ReadFrom(buf, &m)
		if err != nil {
			return err
		}
		time.Sleep(delay)
		out := iface.Meta{IfIndex: m.IfIndex, Dst: m.Src}
		if _, err := c.WriteTo(buf[:n], &out); err != nil {
			return err
		}
	}
}

func TestFakeConnSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &ifacetest.FakeConn{}
		done := make(chan error, 1)
		go func() { done <- echo(c, 3*time.Second) }()

		start := time.Now()
		if err := c.Inject([]byte{133, 0, 1}, iface.Meta{IfIndex: 2, Src: ll, Dst: allRtr, HopLimit: 255}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the engine is asleep for 3 s
		if n := c.WriteCount(); n != 0 {
			t.Fatalf("%d writes before the delay", n)
		}
		time.Sleep(3 * time.Second)
		synctest.Wait() // the engine wrote and is blocked in ReadFrom again
		w := c.Written()
		if len(w) != 1 || !bytes.Equal(w[0].Data, []byte{133, 0, 1}) || w[0].Meta != (iface.Meta{IfIndex: 2, Dst: ll}) {
			t.Fatalf("Written = %+v", w)
		}
		if el := time.Since(start); el != 3*time.Second {
			t.Errorf("fake clock advanced %v, want 3s", el)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, iface.ErrClosed) {
			t.Errorf("engine ended with %v, want ErrClosed", err)
		}
		if err := c.Close(); !errors.Is(err, iface.ErrClosed) {
			t.Errorf("second Close: %v", err)
		}
		if err := c.Inject([]byte{1}, iface.Meta{}); !errors.Is(err, iface.ErrClosed) {
			t.Errorf("Inject after Close: %v", err)
		}
		if _, err := c.WriteTo([]byte{1}, &iface.Meta{}); !errors.Is(err, iface.ErrClosed) {
			t.Errorf("WriteTo after Close: %v", err)
		}
	})
}

func TestFakeConnWritten(t *testing.T) {
	tests := []struct {
		keep, writes int
		wantFirst    byte // first recorded packet's byte
		wantLen      int
	}{
		{0, 3, 0, 3},  // default Keep
		{2, 5, 3, 2},  // ring keeps the newest
		{-1, 4, 0, 0}, // recording off
		{ifacetest.DefaultKeep, 300, 300 - 256, 256}, // wraps (byte arithmetic below)
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("keep %d writes %d", tt.keep, tt.writes), func(t *testing.T) {
			c := &ifacetest.FakeConn{Keep: tt.keep}
			buf := []byte{0}
			for i := range tt.writes {
				buf[0] = byte(i)
				if _, err := c.WriteTo(buf, &iface.Meta{IfIndex: i}); err != nil {
					t.Fatal(err)
				}
			}
			buf[0] = 0xff // the recording is a copy
			w := c.Written()
			if len(w) != tt.wantLen || c.WriteCount() != tt.writes {
				t.Fatalf("%d recorded, count %d; want %d, %d", len(w), c.WriteCount(), tt.wantLen, tt.writes)
			}
			for i, p := range w {
				if want := tt.wantFirst + byte(i); p.Data[0] != want || p.Meta.IfIndex&0xff != int(want) {
					t.Errorf("packet %d = %x meta %+v, want %x", i, p.Data, p.Meta, want)
				}
			}
			c.ClearWritten()
			if len(c.Written()) != 0 || c.WriteCount() != 0 {
				t.Error("ClearWritten left packets")
			}
		})
	}
	t.Run("WriteErr", func(t *testing.T) {
		werr := errors.New("no route")
		c := &ifacetest.FakeConn{WriteErr: werr}
		if _, err := c.WriteTo([]byte{1}, &iface.Meta{}); err != werr || c.WriteCount() != 0 {
			t.Errorf("WriteTo = %v, count %d", err, c.WriteCount())
		}
	})
}

func TestFakeConnReadTruncates(t *testing.T) {
	c := &ifacetest.FakeConn{}
	c.Inject([]byte{1, 2, 3, 4}, iface.Meta{IfIndex: 9})
	b := make([]byte, 2)
	var m iface.Meta
	if n, err := c.ReadFrom(b, &m); n != 2 || err != nil || m.IfIndex != 9 || !bytes.Equal(b, []byte{1, 2}) {
		t.Errorf("ReadFrom = %d, %v, %x, %+v", n, err, b, m)
	}
}

func TestFakeConnBatch(t *testing.T) {
	c := &ifacetest.FakeConn{}
	for i := range 5 {
		c.Inject([]byte{byte(i)}, iface.Meta{IfIndex: i})
	}
	bufs := [][]byte{make([]byte, 8), make([]byte, 8), make([]byte, 8)}
	lens := make([]int, 3)
	metas := make([]iface.Meta, 3)
	var got []byte
	for _, want := range []int{3, 2} {
		n, err := c.ReadBatch(bufs, lens, metas)
		if err != nil || n != want {
			t.Fatalf("ReadBatch = %d, %v; want %d", n, err, want)
		}
		for i := range n {
			if lens[i] != 1 || metas[i].IfIndex != int(bufs[i][0]) {
				t.Errorf("packet %d: len %d meta %+v", i, lens[i], metas[i])
			}
			got = append(got, bufs[i][0])
		}
	}
	if !bytes.Equal(got, []byte{0, 1, 2, 3, 4}) {
		t.Errorf("order %v", got)
	}
	n, err := c.WriteBatch(bufs[:2], metas[:2])
	if n != 2 || err != nil || c.WriteCount() != 2 {
		t.Errorf("WriteBatch = %d, %v", n, err)
	}
}

func TestFakeConnGroups(t *testing.T) {
	c := &ifacetest.FakeConn{}
	steps := []struct {
		join    bool
		ifIndex int
		group   netip.Addr
		wantErr bool
	}{
		{true, 3, allRtr, false},
		{true, 2, allRtr, false},
		{true, 2, allNd, false},
		{true, 3, allRtr, true}, // already joined
		{false, 2, allNd, false},
		{false, 2, allNd, true}, // not joined
		{true, 2, ll, true},     // not multicast
	}
	for i, s := range steps {
		var err error
		if s.join {
			err = c.JoinGroup(s.ifIndex, s.group)
		} else {
			err = c.LeaveGroup(s.ifIndex, s.group)
		}
		if (err != nil) != s.wantErr {
			t.Errorf("step %d: err %v, want error %v", i, err, s.wantErr)
		}
	}
	want := []ifacetest.Membership{{2, allRtr}, {3, allRtr}}
	if g := c.Groups(); fmt.Sprint(g) != fmt.Sprint(want) {
		t.Errorf("Groups = %v, want %v", g, want)
	}
	if !c.Joined(3, allRtr) || c.Joined(2, allNd) {
		t.Error("Joined disagrees with Groups")
	}
}

func TestFakeConnWaitWritten(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &ifacetest.FakeConn{}
		go func() {
			for range 3 {
				time.Sleep(time.Second)
				c.WriteTo([]byte{1}, &iface.Meta{})
			}
		}()
		if err := c.WaitWritten(t.Context(), 3); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := c.WaitWritten(ctx, 4); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitWritten for a write that never comes: %v", err)
		}
	})
}

func TestFakeConnNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	c := &ifacetest.FakeConn{}
	pkt := make([]byte, 200)
	buf := make([]byte, 1500)
	in := iface.Meta{IfIndex: 1, Src: ll, Dst: allRtr}
	var m iface.Meta
	bufs := [][]byte{buf, make([]byte, 1500)}
	lens := make([]int, 2)
	metas := make([]iface.Meta, 2)
	c.Inject(pkt, in) // warm one slot
	c.ReadFrom(buf, &m)
	allocs := testing.AllocsPerRun(1000, func() { // wraps the 256-slot ring
		c.Inject(pkt, in)
		c.ReadFrom(buf, &m)
		c.WriteTo(pkt, &m)
		c.Inject(pkt, in)
		n, _ := c.ReadBatch(bufs, lens, metas)
		c.WriteBatch(bufs[:n], metas[:n])
	})
	if allocs != 0 {
		t.Errorf("%v allocations per round, want 0", allocs)
	}
}

func TestFakeConnAtAndClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &ifacetest.FakeConn{}
		start := time.Now()
		c.WriteTo([]byte{1}, &iface.Meta{})
		time.Sleep(3 * time.Second)
		c.WriteTo([]byte{2}, &iface.Meta{})
		w := c.Written()
		if len(w) != 2 || !w[0].At.Equal(start) || w[1].At.Sub(w[0].At) != 3*time.Second {
			t.Fatalf("At = %v, %v; want %v and 3 s later", w[0].At, w[1].At, start)
		}
		if c.Closed() {
			t.Fatal("Closed before Close")
		}
		c.Close()
		if !c.Closed() {
			t.Fatal("not Closed after Close")
		}
	})
}

func TestFakeConnJoinCalls(t *testing.T) {
	c := &ifacetest.FakeConn{}
	if err := c.JoinGroup(2, allRtr); err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(2, allRtr); !errors.Is(err, ifacetest.ErrMembership) {
		t.Fatalf("second join: %v, want ErrMembership", err)
	}
	c.JoinGroup(3, allNd)
	c.JoinGroup(2, ll) // not multicast: rejected, not counted
	if n := c.JoinCalls(2, allRtr); n != 2 {
		t.Errorf("JoinCalls(2, ff02::2) = %d, want 2 (the failed one counts)", n)
	}
	if n := c.JoinCalls(3, allNd); n != 1 {
		t.Errorf("JoinCalls(3, ff02::1) = %d, want 1", n)
	}
	if n := c.JoinCalls(2, ll); n != 0 {
		t.Errorf("JoinCalls(2, fe80::1) = %d, want 0", n)
	}
	c.LeaveGroup(2, allRtr)
	if n := c.JoinCalls(2, allRtr); n != 2 || c.Joined(2, allRtr) {
		t.Errorf("after leave: JoinCalls %d Joined %v, want 2 false", n, c.Joined(2, allRtr))
	}
}

func TestFakeConnReadsAndSetWriteErr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &ifacetest.FakeConn{}
		done := make(chan error, 1)
		go func() { done <- echo(c, 0) }()
		synctest.Wait()
		if n := c.Reads(); n != 1 {
			t.Fatalf("Reads = %d with the engine waiting, want 1", n)
		}
		c.Inject([]byte{1}, iface.Meta{})
		synctest.Wait()
		if n := c.Reads(); n != 2 || c.WriteCount() != 1 {
			t.Fatalf("Reads = %d, writes %d after one packet, want 2 and 1", n, c.WriteCount())
		}
		errDown := errors.New("link down")
		c.SetWriteErr(errDown)
		c.Inject([]byte{2}, iface.Meta{})
		if err := <-done; err != errDown {
			t.Fatalf("echo returned %v, want the write error", err)
		}
		c.SetWriteErr(nil)
		if _, err := c.WriteTo([]byte{3}, &iface.Meta{}); err != nil || c.WriteCount() != 2 {
			t.Fatalf("after SetWriteErr(nil): %v, writes %d", err, c.WriteCount())
		}
	})
}
