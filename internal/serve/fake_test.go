package serve_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/iface"
	"github.com/radish-net/radish/iface/ifacetest"
	"github.com/radish-net/radish/internal/serve"
)

// fakeDaemon is a Daemon running over in-memory transports (use it inside
// a synctest bubble): one up Ethernet link, eth0 (index 1), with a
// link-local address and IPv6 forwarding on. The ICMP, UDP and packet
// conns record what is written; udpOpened and pcOpened count how often
// the daemon opened the UDP socket and the packet conn.
type fakeDaemon struct {
	*serve.Daemon
	path                string
	icmp, udp, pc       *ifacetest.FakeConn
	udpOpened, pcOpened atomic.Int32
	reload              chan struct{}
	cancel              context.CancelFunc
	done                chan error
}

// startFakeDaemon writes body as the configuration file in a temporary
// directory, loads it and runs a Daemon on it. logger and level may be nil.
func startFakeDaemon(t *testing.T, body string, logger *slog.Logger, level *slog.LevelVar) *fakeDaemon {
	t.Helper()
	f := &fakeDaemon{
		path: filepath.Join(t.TempDir(), "radish.toml"),
		icmp: new(ifacetest.FakeConn), udp: new(ifacetest.FakeConn), pc: new(ifacetest.FakeConn),
		reload: make(chan struct{}),
		done:   make(chan error, 1),
	}
	f.write(t, body)
	cfg, err := config.Load(f.path)
	if err != nil {
		t.Fatal(err)
	}
	sysctl := new(ifacetest.FakeSysctl)
	sysctl.Set("eth0", "forwarding", "1")
	d, err := serve.New(serve.Options{
		Path:   f.path,
		Config: cfg,
		Logger: logger,
		Level:  level,
		Transports: serve.Transports{
			ICMP: func() (iface.Conn, error) { return f.icmp, nil },
			UDP:  func() (iface.Conn, error) { f.udpOpened.Add(1); return f.udp, nil },
			Packet: func(l iface.Link) (iface.Conn, error) {
				if l.Index != 1 {
					return nil, fmt.Errorf("packet conn for link %d", l.Index)
				}
				f.pcOpened.Add(1)
				return f.pc, nil
			},
			Watcher: linkWatcher{iface.Link{Index: 1, Name: "eth0", Up: true, MTU: 1500,
				HardwareAddr: [6]byte{0x02, 0, 0, 0, 0, 1}}},
			Sysctl: sysctl,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.Daemon = d
	var ctx context.Context
	ctx, f.cancel = context.WithCancel(t.Context())
	go func() { f.done <- d.Run(ctx, f.reload) }()
	return f
}

// write replaces the configuration file; send on reload to apply it.
func (f *fakeDaemon) write(t *testing.T, body string) {
	t.Helper()
	if err := os.WriteFile(f.path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stop cancels Run and fails the test if it returned an error.
func (f *fakeDaemon) stop(t *testing.T) {
	t.Helper()
	f.cancel()
	if err := <-f.done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
