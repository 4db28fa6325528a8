package iface

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// NamespaceClaim marks that a process serves in its network namespace.
// It is a listening abstract Unix socket, "@radish/NAME": abstract socket
// names belong to the network namespace, need no file system and vanish
// with the process, however it ends.
type NamespaceClaim struct {
	fd int
}

// ClaimNamespace claims NAME in the calling thread's network namespace.
// When another process holds the claim, it returns a nil claim and that
// process's pid (0 if it cannot be learned) with no error: the caller
// decides what a second instance means. Errors are for sockets that could
// not be used at all.
func ClaimNamespace(name string) (claim *NamespaceClaim, holder int, err error) {
	addr := &unix.SockaddrUnix{Name: "@radish/" + name}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("iface: claim %s: %w", name, err)
	}
	if err := unix.Bind(fd, addr); err == nil {
		if err := unix.Listen(fd, 4); err != nil {
			unix.Close(fd)
			return nil, 0, fmt.Errorf("iface: claim %s: %w", name, err)
		}
		return &NamespaceClaim{fd: fd}, 0, nil
	} else if !errors.Is(err, syscall.EADDRINUSE) {
		unix.Close(fd)
		return nil, 0, fmt.Errorf("iface: claim %s: %w", name, err)
	}
	// Held: ask the holder who it is (the kernel answers for it).
	defer unix.Close(fd)
	if err := unix.Connect(fd, addr); err != nil {
		return nil, 0, nil
	}
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return nil, 0, nil
	}
	return nil, int(cred.Pid), nil
}

// Close gives the claim up.
func (c *NamespaceClaim) Close() error {
	if c == nil {
		return nil
	}
	return unix.Close(c.fd)
}
