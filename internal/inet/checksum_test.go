package inet_test

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/radish-net/radish/internal/inet"
)

// The Linux kernel's RS from ra/testdata/linux-kernel-rs.hex, with its
// checksum 0x79a2 as sent on the wire.
const kernelRS = "85 00 79 a2 00 00 00 00 01 01 02 c4 00 00 00 02"

func TestChecksumKernelRS(t *testing.T) {
	b, err := hex.DecodeString(strings.ReplaceAll(kernelRS, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddr("fe80::c4:ff:fe00:2")
	dst := netip.MustParseAddr("ff02::2")
	if got := inet.Checksum(src, dst, inet.ProtoICMPv6, b); got != 0 {
		t.Fatalf("verifying a correct packet: got %#04x, want 0", got)
	}
	want := uint16(b[2])<<8 | uint16(b[3])
	b[2], b[3] = 0, 0
	if got := inet.Checksum(src, dst, inet.ProtoICMPv6, b); got != want {
		t.Fatalf("checksum = %#04x, want %#04x", got, want)
	}
	// An odd-length payload pads with a zero byte.
	if inet.Checksum(src, dst, inet.ProtoUDP, []byte{1}) == inet.Checksum(src, dst, inet.ProtoUDP, []byte{1, 1}) {
		t.Fatal("odd-length padding ignored the trailing byte")
	}
}

func TestChecksumNoAllocs(t *testing.T) {
	b := make([]byte, 1500)
	src := netip.MustParseAddr("fe80::1")
	dst := netip.MustParseAddr("ff02::1")
	if n := testing.AllocsPerRun(100, func() { inet.Checksum(src, dst, inet.ProtoICMPv6, b) }); n != 0 {
		t.Fatalf("allocs = %v, want 0", n)
	}
}
