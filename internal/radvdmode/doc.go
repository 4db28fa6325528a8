// Package radvdmode is radish's radvd personality: the main function run
// when radish is installed as /usr/sbin/radvd (argv[0] "radvd") or started
// as "radish radvd ARGS". It satisfies the programs that spawn radvd
// (nova-network, neutron, libvirt, pfSense/OPNsense, init scripts) and then
// either advertises exactly what radvd would advertise from the same
// radvd.conf or defers to an upstream router.
//
// Contract (see radvd-compat in the project's reference notes and the
// README section "radish as /usr/sbin/radvd"):
//
//   - The command line is radvd's (package radvdcli); -c parses the file,
//     prints errors as "FILE:LINE error: MESSAGE" and exits 0 or 1; -v and
//     -h exit 1.
//   - Unless -n, the process daemonizes by re-execution (daemon.Detach): the
//     original process exits 0 only once the child has written its pid to
//     the pidfile and detached its standard streams; on a start-up failure
//     it prints the child's reason on stderr and exits 1.
//   - The raw ICMPv6 socket is opened, sysctls written and -t applied
//     before privileges are dropped (-u); the pidfile is written (taken over
//     atomically from any previous instance) before the drop. The drop
//     keeps CAP_NET_ADMIN and CAP_NET_RAW only, for sysctl writes on reload
//     and packet sockets later (radvd keeps a root helper process).
//   - SIGHUP rereads radvd.conf and radvd.toml; if either is broken, the
//     errors are logged and the previous configuration keeps serving.
//     SIGTERM/SIGINT send the final RAs, remove the pidfile only if it still
//     names this process, and exit 0. SIGUSR1 restarts DecrementLifetimes
//     countdowns.
//   - The mode (serve or defer), sysctl writing and operator overlays come
//     from radvd.toml (DefaultSettingsPath, or the file named by EnvSettings)
//     and EnvMode, never from radvd.conf, which callers regenerate.
//
// The RA engine runs through package serve (serve.New and Daemon.Run),
// the same wiring as radish serve; radvd.conf reloads go to the engine
// directly, since serve reloads TOML files.
package radvdmode
