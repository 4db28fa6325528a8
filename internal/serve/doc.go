// Package serve is the radish command line: the serve, check and version
// subcommands, and the daemon that radish serve runs. Package main
// (cmd/radish) only dispatches to it.
//
// Contract of radish serve (Serve, Daemon):
//
//   - It runs in the foreground and logs with log/slog to standard error,
//     as text (default) or JSON. The --log-format and --log-level flags win;
//     without them the configuration's [log] table decides. A reload applies
//     a changed [log] level when no --log-level flag was given; the format is
//     fixed at start.
//   - It loads the TOML configuration (config.Load), then opens one raw
//     ICMPv6 socket shared by every link, a per-link AF_PACKET socket for
//     links that need the packet transport, an rtnetlink watcher, the
//     /proc/sys sysctls, and, when some link has an [interface.dhcpv6] table,
//     one UDP socket on port 547. It runs the RA engine (ra/engine) and the
//     stateless DHCPv6 server (dhcpv6/server) over them. The server also
//     serves the packet-transport links: internal/demux hands it the UDP
//     packets read by their AF_PACKET sockets beside the UDP socket's, and
//     sends each answer through the socket its request came from.
//   - SIGHUP reloads the file. A file that does not load is logged, error by
//     error with FILE:LINE: KEY, and the previous configuration keeps
//     serving. A good file is applied to the DHCPv6 server first (the only
//     step that can refuse it) and then to the RA engine.
//   - SIGTERM and SIGINT stop it: every served link gets its final RA
//     (Router Lifetime 0) and the process exits 0.
//   - Exit codes: 0 success, 1 runtime failure (a socket, the netlink
//     watcher), 2 usage or configuration error. radish check exits 1 when the
//     file is invalid.
package serve
