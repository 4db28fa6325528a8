package iface_test

import (
	"net/netip"
	"testing"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

// TestIPv4Addr reads a link's primary IPv4 address in a namespace: the
// first one added, not a secondary, and an error without one.
func TestIPv4Addr(t *testing.T) {
	l := netlab.New(t)
	ns := l.Namespace("v4")
	l.Veth(ns, "v4a", ns, "v4b")
	ns.IP("addr", "add", "192.0.2.33/24", "dev", "v4a")
	ns.IP("addr", "add", "192.0.2.34/24", "dev", "v4a") // secondary
	var got netip.Addr
	var errNone error
	if err := ns.Do(func() (err error) {
		got, err = iface.IPv4Addr("v4a")
		_, errNone = iface.IPv4Addr("v4b")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := netip.MustParseAddr("192.0.2.33"); got != want {
		t.Errorf("IPv4Addr(v4a) = %v, want the primary %v", got, want)
	}
	if errNone == nil {
		t.Error("IPv4Addr(v4b) without an IPv4 address: no error")
	}
}
