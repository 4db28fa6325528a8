package dhcpv6_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
)

// deepRelay builds n nested Relay-forward levels around a minimal
// Information-request without going through the builders, innermost last.
func deepRelay(n int) []byte {
	inner := []byte{11, 0, 0, 1}
	total := n*(34+4) + len(inner)
	b := make([]byte, 0, total)
	for i := 0; i < n; i++ {
		rest := total - len(b) - 38
		b = append(b, 12, byte(i))
		b = append(b, make([]byte, 32)...)
		b = append(b, 0, 9, byte(rest>>8), byte(rest))
	}
	return append(b, inner...)
}

func TestHostileInput(t *testing.T) {
	garbage := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	garbage[0] = 11 // a client message type, so the options are walked
	relayGarbage := append([]byte{12}, garbage[1:]...)
	duid200 := append([]byte{11, 1, 2, 3, 0, 1, 0, 200}, make([]byte, 200)...)
	tests := []struct {
		name  string
		b     []byte
		relay bool
		want  error
	}{
		{"truncated header", []byte{11, 1, 2}, false, dhcpv6.ErrTruncated},
		{"truncated relay header", append([]byte{12, 0}, make([]byte, 20)...), true, dhcpv6.ErrTruncated},
		{"option header cut", []byte{11, 1, 2, 3, 0, 1, 0}, false, dhcpv6.ErrOptionTruncated},
		{"option length past end", []byte{11, 1, 2, 3, 0, 6, 0, 4, 0, 23}, false, dhcpv6.ErrOptionTruncated},
		{"option length 0xffff", []byte{11, 1, 2, 3, 0, 6, 0xff, 0xff}, false, dhcpv6.ErrOptionTruncated},
		{"empty elapsed time", []byte{11, 1, 2, 3, 0, 8, 0, 0}, false, dhcpv6.ErrOptionLength},
		{"odd ORO", []byte{11, 1, 2, 3, 0, 6, 0, 1, 23}, false, dhcpv6.ErrOptionLength},
		{"short IA_NA", []byte{11, 1, 2, 3, 0, 3, 0, 4, 0, 0, 0, 1}, false, dhcpv6.ErrOptionLength},
		{"empty relay message", append(deepRelay(1)[:34], 0, 9, 0, 0), true, dhcpv6.ErrOptionLength},
		{"empty interface-id", append(append(deepRelay(1)[:34], 0, 18, 0, 0), []byte{0, 9, 0, 4, 11, 0, 0, 1}...), true, dhcpv6.ErrOptionLength},
		{"DUID of 0 octets", []byte{11, 1, 2, 3, 0, 1, 0, 0}, false, dhcpv6.ErrDUID},
		{"DUID type only", []byte{11, 1, 2, 3, 0, 2, 0, 2, 0, 1}, false, dhcpv6.ErrDUID},
		{"DUID of 200 octets", duid200, false, dhcpv6.ErrDUID},
		{"1000 nested relays", deepRelay(1000), true, dhcpv6.ErrRelayDepth},
		{"33 nested relays", deepRelay(33), true, dhcpv6.ErrRelayDepth},
		{"32 nested relays", deepRelay(32), true, nil},
		{"relay without relay message", append(deepRelay(1)[:34], 0, 18, 0, 1, 'x'), true, dhcpv6.ErrNoRelayMessage},
		{"64 KiB garbage", garbage, false, dhcpv6.ErrOptionTruncated},
		{"64 KiB garbage relay", relayGarbage, true, dhcpv6.ErrOptionTruncated},
		{"relay message type to ParseMessage", deepRelay(1), false, dhcpv6.ErrMessageType},
	}
	var c dhcpv6.RelayChain
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			parse := func() {
				if tt.relay {
					err = c.Parse(tt.b)
				} else {
					_, err = dhcpv6.ParseMessage(tt.b)
				}
			}
			parse()
			if !errors.Is(err, tt.want) || (err != nil && err != tt.want) {
				t.Fatalf("got %v, want %v (unwrapped)", err, tt.want)
			}
			if raceEnabled {
				return
			}
			if n := testing.AllocsPerRun(10, parse); n != 0 {
				t.Errorf("%v allocations", n)
			}
		})
	}
}
