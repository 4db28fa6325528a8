package iface_test

import (
	"os"
	"testing"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

// TestClaimNamespace: the first claim of a name in a network namespace
// holds it; a second one learns the holder's pid; after Close the name is
// free again; another namespace has its own.
func TestClaimNamespace(t *testing.T) {
	l := netlab.New(t)
	a, b := l.Namespace("ca"), l.Namespace("cb")
	var first, again *iface.NamespaceClaim
	var holder int
	err := a.Do(func() (err error) {
		if first, _, err = iface.ClaimNamespace("test"); err != nil {
			return err
		}
		again, holder, err = iface.ClaimNamespace("test")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if first == nil {
		t.Fatal("the first claim did not hold")
	}
	if again != nil || holder != os.Getpid() {
		t.Errorf("second claim: %v, holder %d; want nil and this process, %d", again, holder, os.Getpid())
	}
	var other *iface.NamespaceClaim
	if err := b.Do(func() (err error) { other, _, err = iface.ClaimNamespace("test"); return err }); err != nil || other == nil {
		t.Errorf("another namespace: %v, %v; want its own claim", other, err)
	}
	other.Close()
	first.Close()
	if err := a.Do(func() (err error) { again, _, err = iface.ClaimNamespace("test"); return err }); err != nil || again == nil {
		t.Errorf("after Close: %v, %v; want the claim", again, err)
	}
	again.Close()
}
