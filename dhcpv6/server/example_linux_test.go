package server_test

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6/server"
	"github.com/radish-net/radish/iface"
)

// Wiring the server into a daemon: one kernel UDP socket on port 547, the
// kernel's link watcher, Reload on SIGHUP. (Not run: it needs root.)
func Example() {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	cfg, err := config.Load("/etc/radish/radish.toml")
	if err != nil {
		log.Error("config", "err", err)
		return
	}
	conn, err := iface.ListenUDP(547, 0)
	if err != nil {
		log.Error("listen", "err", err)
		return
	}
	srv, err := server.New(server.Options{
		Config:  cfg,
		Conn:    conn, // Run closes it
		Watcher: iface.NewWatcher(iface.WatcherConfig{}),
		Logger:  log,
	})
	if err != nil {
		conn.Close()
		log.Error("dhcpv6", "err", err)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			if cfg, err := config.Load("/etc/radish/radish.toml"); err != nil {
				log.Error("reload", "err", err)
			} else if err := srv.Reload(cfg); err != nil {
				log.Error("reload", "err", err)
			}
		}
	}()
	if err := srv.Run(ctx); err != nil {
		log.Error("dhcpv6", "err", err)
	}
	log.Info("counters", "stats", srv.Counters().Snapshot())
}
