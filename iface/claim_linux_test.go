package iface_test

import (
	"os"
	"testing"

	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/netlab"
)

// TestClaimNamespace: the first claim of a name in a network namespace
// holds it; later ones find it held and learn the holder's pid, any
// number of times (the holder accepts every probe); after Close the name
// is free again; another namespace has its own.
func TestClaimNamespace(t *testing.T) {
	l := netlab.New(t)
	a, b := l.Namespace("ca"), l.Namespace("cb")
	var first, again *iface.NamespaceClaim
	holders := make([]int, 20)
	err := a.Do(func() (err error) {
		if first, err = iface.ClaimNamespace("test"); err != nil {
			return err
		}
		if again, err = iface.ClaimNamespace("test"); err != nil {
			return err
		}
		for i := range holders { // more than any listen backlog
			holders[i] = iface.NamespaceHolder("test")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if first == nil {
		t.Fatal("the first claim did not hold")
	}
	if again != nil {
		t.Error("a second claim held too")
	}
	for i, h := range holders {
		if h != os.Getpid() {
			t.Fatalf("probe %d: holder %d, want this process, %d", i, h, os.Getpid())
		}
	}
	var other *iface.NamespaceClaim
	if err := b.Do(func() (err error) { other, err = iface.ClaimNamespace("test"); return err }); err != nil || other == nil {
		t.Errorf("another namespace: %v, %v; want its own claim", other, err)
	}
	other.Close()
	first.Close()
	var free int
	if err := a.Do(func() (err error) {
		free = iface.NamespaceHolder("test")
		again, err = iface.ClaimNamespace("test")
		return err
	}); err != nil || again == nil || free != 0 {
		t.Errorf("after Close: holder %d, claim %v, %v; want 0 and the claim", free, again, err)
	}
	again.Close()
}
