package server_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
)

func duidConfig(duid, stateDir string) string {
	return `
[dhcpv6]
state_dir = "` + stateDir + `"
[dhcpv6.duid]
` + duid + `
[dhcpv6.rate_limit]
per_source = 0
global = 0
[[interface]]
name = "lan0"
[interface.dhcpv6]
dns_servers = ["2001:db8::53"]
[[interface]]
name = "lan1"
[interface.dhcpv6]
dns_servers = ["2001:db8:1::53"]
[[interface]]
name = "wan0"
`
}

// serverIDOf asks h for a Reply and returns its Server Identifier.
func serverIDOf(t *testing.T, h *harness) []byte {
	t.Helper()
	d, ok := h.exchange(infoReq(), direct(lan0.Index))
	if !ok {
		t.Fatal("no reply")
	}
	sid, ok := parseReply(t, d.Data).msg.ServerID()
	if !ok {
		t.Fatal("reply without Server Identifier")
	}
	return bytes.Clone(sid)
}

// A DUID-LLT is generated once, stored in state_dir and reused by the
// next instance, even when the MACs have changed meanwhile.
func TestDUIDLLTPersisted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	cfg := parseConfig(t, duidConfig(`type = "llt"`, dir))

	h1 := startLinks(t, cfg, false, wan0, lan1, lan0)
	d1 := dhcpv6.DUID(serverIDOf(t, h1))
	h1.stop()
	if d1.Type() != dhcpv6.DUIDLLT {
		t.Fatalf("DUID %x is %v, want LLT", []byte(d1), d1.Type())
	}
	hw, _ := d1.HardwareType()
	mac, _ := d1.LinkLayerAddress()
	if hw != 1 || !bytes.Equal(mac, lan0.HardwareAddr[:]) {
		t.Errorf("DUID-LLT hardware %d MAC %x, want 1 and lan0's %x (lowest served ifindex)", hw, mac, lan0.HardwareAddr)
	}
	stored, err := os.ReadFile(filepath.Join(dir, server.DUIDFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(stored)); got != hex.EncodeToString(d1) {
		t.Errorf("stored %q, want %x", got, []byte(d1))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("state dir holds %d entries, want only the duid file", len(ents))
	}

	other := lan0
	other.HardwareAddr = [6]byte{2, 9, 9, 9, 9, 9}
	h2 := startLinks(t, cfg, false, other, lan1)
	if d2 := serverIDOf(t, h2); !bytes.Equal(d2, d1) {
		t.Errorf("second instance DUID %x, want the stored %x", d2, []byte(d1))
	}
	if got := h2.srv.DUID(); !bytes.Equal(got, d1) {
		t.Errorf("Server.DUID() = %x, want %x", []byte(got), []byte(d1))
	}
}

func TestDUIDKinds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, duid, dir string
		want            string // hex
	}{
		{"llt with unwritable state dir falls back to ll", `type = "llt"`, filepath.Join(file, "sub"), "00030001" + hex.EncodeToString(lan0.HardwareAddr[:])},
		{"ll from the first served link", `type = "ll"`, "", "00030001" + hex.EncodeToString(lan0.HardwareAddr[:])},
		{"ll from a named link", "type = \"ll\"\ninterface = \"wan0\"", "", "00030001" + hex.EncodeToString(wan0.HardwareAddr[:])},
		{"en", "type = \"en\"\nenterprise = 32473\nid = \"0a0b0c\"", "", "0002" + "00007ed9" + "0a0b0c"},
		{"uuid", "type = \"uuid\"\nuuid = \"00112233-4455-6677-8899-aabbccddeeff\"", "", "0004" + "00112233445566778899aabbccddeeff"},
		{"raw", "type = \"raw\"\nid = \"ff00abcdef\"", "", "ff00abcdef"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = t.TempDir()
			}
			h := start(t, parseConfig(t, duidConfig(tc.duid, dir)), false)
			if got := hex.EncodeToString(serverIDOf(t, h)); got != tc.want {
				t.Errorf("DUID %s, want %s", got, tc.want)
			}
		})
	}
}

// Without any link that has a MAC, an "ll" server waits (answers nothing,
// counting pkt6-not-ready) until one appears.
func TestDUIDWaitsForMAC(t *testing.T) {
	cfg := parseConfig(t, duidConfig(`type = "ll"`, t.TempDir()))
	noMAC := lan0
	noMAC.HardwareAddr = [6]byte{}
	conn, c := newConn(false)
	w := newWatcher(noMAC)
	srv, err := server.New(server.Options{Config: cfg, Conn: c, Watcher: w})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, conn: conn, w: w, done: make(chan error, 1)}
	ctx, cancel := contextWithCancel()
	h.cancel = cancel
	go func() { h.done <- srv.Run(ctx) }()
	t.Cleanup(h.stop)
	h.waitIdle(0)
	if _, ok := h.send(infoReq(), direct(lan0.Index)); ok {
		t.Fatal("answered without a DUID")
	}
	if got := srv.Counters().NotReady.Load(); got != 1 {
		t.Errorf("pkt6-not-ready = %d, want 1", got)
	}
	w.Push(iface.Event{Kind: iface.LinkUpdate, Link: lan1})
	<-srv.Ready()
	if got := hex.EncodeToString(serverIDOf(t, h)); got != "00030001"+hex.EncodeToString(lan1.HardwareAddr[:]) {
		t.Errorf("DUID %s, want DUID-LL of lan1", got)
	}
}
