// Package daemon is the process side of radvd's contract with the
// programs that start it: daemonizing, the pidfile, privilege dropping,
// chroot, logging in radvd's methods and formats, signals, and the
// process name.
//
// The contract callers rely on (nova, neutron, rootwrap, init scripts):
//
//   - Daemonizing (Detach, Ready, Fail): the original process exits 0
//     only after the detached child has written the pidfile, and the child
//     has stdin, stdout and stderr on /dev/null, so callers that wait for
//     those pipes to close do not hang. A Go program cannot fork, so the
//     child is the same executable started again with the same argv.
//   - The pidfile (WritePidfile, RemovePidfileIfOurs) holds "PID\n", mode
//     0644, is never seen empty or partial, and a new instance takes it
//     over even while the previous one is still exiting.
//   - Identity: /proc/PID/cmdline is the original argv, /proc/PID/exe the
//     installed path, comm "radvd" (see Detach and SetProcessName).
//
// Nothing here is on the packet path; functions may allocate.
package daemon
