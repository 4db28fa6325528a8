package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/internal/fixture"
	"github.com/radish-net/radish/internal/netlab"
)

// Every reason to drop is counted under its own name, nothing is sent,
// and the loop keeps serving.
func TestDropReasons(t *testing.T) {
	foreign := fixture.MustHex("00030001aabbccddeeff")
	unicast := direct(lan0.Index)
	unicast.Dst = netip.MustParseAddr("fe80::1")
	fromUnspecified := direct(lan0.Index)
	fromUnspecified.Src = netip.IPv6Unspecified()
	fromMulticast := relayed(lan0.Index)
	fromMulticast.Src = netip.MustParseAddr("ff02::1")
	longDUID := append([]byte{0, 2, 0, 0, 0, 9}, make([]byte, 200)...)
	deep := infoReq()
	for range dhcpv6.MaxRelayDepth + 1 {
		deep = wrap(deep, lvl("::", ""))
	}
	noRelayMsg := dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayForward, 0, [16]byte{}, clientLL.As16())
	noRelayMsg = dhcpv6.AppendInterfaceID(noRelayMsg, []byte("x"))
	relayReply := dhcpv6.AppendRelayHeader(nil, dhcpv6.RelayReply, 0, [16]byte{}, clientLL.As16())
	relayReply = dhcpv6.AppendRelayMessage(relayReply, msg(dhcpv6.Reply, optCID(clientID), optSID(serverDUID)))

	for _, tc := range []struct {
		name    string
		pkt     []byte
		meta    iface.Meta
		counter string
		typeCtr string // the per-type received counter, if any
	}{
		{"foreign server id", infoReq(optSID(foreign)), direct(lan0.Index), "pkt6-not-for-us", "pkt6-infrequest-received"},
		{"IA_NA in information-request", infoReq(optIA(dhcpv6.OptIANA, 1)), direct(lan0.Index), "pkt6-ia-in-inforequest", "pkt6-infrequest-received"},
		{"IA_PD in information-request", infoReq(optIA(dhcpv6.OptIAPD, 1)), direct(lan0.Index), "pkt6-ia-in-inforequest", ""},
		{"IA_TA in information-request", infoReq(optIA(dhcpv6.OptIATA, 1)), direct(lan0.Index), "pkt6-ia-in-inforequest", ""},
		{"unicast destination", infoReq(), unicast, "pkt6-unicast-dropped", ""},
		{"unspecified source", infoReq(), fromUnspecified, "pkt6-invalid", ""},
		{"multicast source", wrap(infoReq(), lvl("::", "")), fromMulticast, "pkt6-invalid", ""},
		{"option past end", append(infoReq(), 0, 23, 0, 40, 1, 2), direct(lan0.Index), "pkt6-parse-failed", ""},
		{"truncated header", []byte{11, 1}, direct(lan0.Index), "pkt6-parse-failed", ""},
		{"empty datagram", []byte{}, direct(lan0.Index), "pkt6-parse-failed", ""},
		{"oversized client DUID", msg(dhcpv6.InformationRequest, optCID(longDUID)), direct(lan0.Index), "pkt6-parse-failed", ""},
		{"empty client DUID", msg(dhcpv6.InformationRequest, optCID(nil)), direct(lan0.Index), "pkt6-parse-failed", ""},
		{"relay-forward without relay message", noRelayMsg, relayed(lan0.Index), "pkt6-parse-failed", "pkt6-relay-forward-received"},
		{"truncated relay header", wrap(infoReq(), lvl("::", ""))[:20], relayed(lan0.Index), "pkt6-parse-failed", ""},
		{"relay nesting too deep", deep, relayed(lan0.Index), "pkt6-parse-failed", ""},
		{"relayed relay-reply", wrap(append([]byte{13}, make([]byte, 33)...), lvl("::", "")), relayed(lan0.Index), "pkt6-parse-failed", ""},
		{"solicit with server id", msg(dhcpv6.Solicit, optCID(clientID), optSID(serverDUID), optIA(dhcpv6.OptIANA, 1)), direct(lan0.Index), "pkt6-invalid", "pkt6-solicit-received"},
		{"solicit without client id", msg(dhcpv6.Solicit, optIA(dhcpv6.OptIANA, 1)), direct(lan0.Index), "pkt6-invalid", ""},
		{"request", msg(dhcpv6.Request, optCID(clientID), optSID(serverDUID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-request-received"},
		{"renew", msg(dhcpv6.Renew, optCID(clientID), optSID(serverDUID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-renew-received"},
		{"rebind", msg(dhcpv6.Rebind, optCID(clientID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-rebind-received"},
		{"release", msg(dhcpv6.Release, optCID(clientID), optSID(serverDUID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-release-received"},
		{"decline", msg(dhcpv6.Decline, optCID(clientID), optSID(serverDUID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-decline-received"},
		{"confirm", msg(dhcpv6.Confirm, optCID(clientID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-confirm-received"},
		{"relayed renew", wrap(msg(dhcpv6.Renew, optCID(clientID)), lvl("::", "")), relayed(lan0.Index), "pkt6-unsupported-type", "pkt6-renew-received"},
		{"advertise", msg(dhcpv6.Advertise, optCID(clientID), optSID(serverDUID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-unknown-received"},
		{"reply", msg(dhcpv6.Reply, optCID(clientID), optSID(serverDUID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-unknown-received"},
		{"reconfigure", msg(dhcpv6.Reconfigure, optCID(clientID), optSID(serverDUID)), direct(lan0.Index), "pkt6-unsupported-type", ""},
		{"relay-reply", relayReply, relayed(lan0.Index), "pkt6-unsupported-type", "pkt6-unknown-received"},
		{"unknown type", msg(200, optCID(clientID)), direct(lan0.Index), "pkt6-unsupported-type", "pkt6-unknown-received"},
		{"unserved link", infoReq(), direct(wan0.Index), "pkt6-no-link", ""},
		{"unknown ifindex", infoReq(), direct(99), "pkt6-no-link", ""},
		{"relayed, no match, unserved ingress", wrap(infoReq(), lvl("2001:db8:99::1", "nope")), relayed(wan0.Index), "pkt6-no-link", ""},
		{"relayed foreign server id", wrap(infoReq(optSID(foreign)), lvl("::", "")), relayed(lan0.Index), "pkt6-not-for-us", ""},
		{"oversized datagram", append(infoReq(), dhcpv6.AppendOption(nil, 0x7777, make([]byte, 9000))...), direct(lan0.Index), "pkt6-receive-truncated", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, batch := range []bool{false, true} {
				h := start(t, parseConfig(t, baseConfig), batch)
				if d, ok := h.send(tc.pkt, tc.meta); ok {
					t.Fatalf("batch=%v: got a reply % x", batch, d.Data)
				}
				s := h.srv.Counters().Snapshot()
				if s[tc.counter] != 1 {
					t.Errorf("batch=%v: %s = %d, want 1 (%v)", batch, tc.counter, s[tc.counter], s)
				}
				if tc.typeCtr != "" && s[tc.typeCtr] != 1 {
					t.Errorf("batch=%v: %s = %d, want 1", batch, tc.typeCtr, s[tc.typeCtr])
				}
				if s["pkt6-receive-drop"] != 1 || s["pkt6-received"] != 1 || s["pkt6-sent"] != 0 {
					t.Errorf("batch=%v: drop %d received %d sent %d, want 1 1 0", batch, s["pkt6-receive-drop"], s["pkt6-received"], s["pkt6-sent"])
				}
				// Still serving.
				if _, ok := h.send(infoReq(), direct(lan0.Index)); !ok {
					t.Errorf("batch=%v: no reply after the dropped datagram", batch)
				}
				h.stop()
			}
		})
	}
}

// A burst of hostile datagrams (random mutations of valid requests) in
// one batch does not stop the loop, and a valid request after it is
// answered.
func TestHostileBurst(t *testing.T) {
	h := start(t, parseConfig(t, baseConfig), true)
	seeds := [][]byte{
		fixture.Load(t, "testdata/dhclient-information-request.hex").Bytes,
		fixture.Load(t, "testdata/dhcpcd-information-request.hex").Bytes,
		fixture.Load(t, "testdata/dhcrelay-relay-forward-interface-id.hex").Bytes,
		wrap(infoReq(), lvl("2001:db8:10::1", "a"), lvl("::", "relay-port-7")),
	}
	x := uint32(1)
	rnd := func() uint32 { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x }
	const n = 2000
	for i := range n {
		p := bytes.Clone(seeds[i%len(seeds)])
		for range 1 + rnd()%4 {
			switch rnd() % 3 {
			case 0:
				p[rnd()%uint32(len(p))] = byte(rnd())
			case 1:
				p = p[:rnd()%uint32(len(p))]
			default:
				p = append(p, byte(rnd()))
			}
			if len(p) == 0 {
				break
			}
		}
		m := direct(lan0.Index)
		if i%2 == 1 {
			m = relayed(lan0.Index)
		}
		h.inject(p, m)
	}
	// The conn records every reply (nothing to drain to keep the loop
	// going); forget the burst's before the valid request.
	h.drain()
	if _, ok := h.exchange(infoReq(), direct(lan0.Index)); !ok {
		t.Fatal("no reply after the hostile burst")
	}
	// The loop may still be finishing the last batch: wait for the counts.
	c := h.srv.Counters()
	deadline := time.Now().Add(5 * time.Second)
	for c.Received.Load() != n+1 || c.ReceiveDrop.Load()+c.Sent.Load() != n+1 {
		if time.Now().After(deadline) {
			t.Fatalf("pkt6-received %d, drops %d + sent %d; want %d and %d", c.Received.Load(), c.ReceiveDrop.Load(), c.Sent.Load(), n+1, n+1)
		}
		time.Sleep(time.Millisecond)
	}
}

// A failing conn write is counted and the loop goes on.
func TestSendFailed(t *testing.T) {
	for _, batch := range []bool{false, true} {
		h := start(t, parseConfig(t, baseConfig), batch)
		h.conn.SetWriteErr(errors.New("no route to host"))
		h.send(infoReq(), direct(lan0.Index))
		h.conn.SetWriteErr(nil)
		if got := h.srv.Counters().SendFailed.Load(); got != 1 {
			t.Errorf("batch=%v: pkt6-send-failed = %d, want 1", batch, got)
		}
		if _, ok := h.send(infoReq(), direct(lan0.Index)); !ok {
			t.Errorf("batch=%v: no reply after a failed send", batch)
		}
	}
}

// Unknown options are ignored, never a reason to drop (RFC 9915 §16), and
// relay chains up to dhcpv6.MaxRelayDepth deep are answered.
func TestTolerated(t *testing.T) {
	h := start(t, parseConfig(t, baseConfig), false)
	unknown := infoReq(dhcpv6.AppendOption(nil, 0x7777, []byte{1, 2, 3}), dhcpv6.AppendOption(nil, 0xfffe, nil))
	if _, ok := h.send(unknown, direct(lan0.Index)); !ok {
		t.Error("Information-request with unknown options not answered")
	}
	deepest := infoReq()
	for range dhcpv6.MaxRelayDepth {
		deepest = wrap(deepest, lvl("::", ""))
	}
	d, ok := h.send(deepest, relayed(lan0.Index))
	if !ok {
		t.Fatalf("relay chain %d deep not answered", dhcpv6.MaxRelayDepth)
	}
	parseReply(t, innerReply(t, d.Data, dhcpv6.MaxRelayDepth))
}

// TestSendFailedWarns: failed sends are replies clients never get; they
// are logged at warn level, once for a burst (at most once a minute).
func TestSendFailedWarns(t *testing.T) {
	conn, c := newConn(false)
	var logBuf netlab.SyncBuffer
	srv, err := server.New(server.Options{Config: parseConfig(t, baseConfig), Conn: c, Watcher: newWatcher(lan0, lan1, wan0),
		Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	<-srv.Ready()
	conn.SetWriteErr(errors.New("no buffer space available"))
	for range 3 {
		if err := conn.Inject(infoReq(), direct(lan0.Index)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.Counters().SendFailed.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	log := logBuf.String()
	if n := strings.Count(log, "level=WARN msg=\"dhcpv6: replies could not be sent\""); n != 1 {
		t.Errorf("%d warnings for 3 failed sends in a burst, want 1:\n%s", n, log)
	}
	if !strings.Contains(log, "no buffer space available") {
		t.Errorf("the warning does not give the error:\n%s", log)
	}
}
