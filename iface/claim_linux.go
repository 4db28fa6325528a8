package iface

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// NamespaceClaim marks that a process serves in its network namespace.
// It is a listening abstract Unix socket, "@radish/NAME": abstract socket
// names belong to the network namespace, need no file system and vanish
// with the process, however it ends. The holder accepts and closes every
// connection, so that others can ask it who it is (NamespaceHolder).
type NamespaceClaim struct {
	l *net.UnixListener
}

func claimAddr(name string) *net.UnixAddr {
	return &net.UnixAddr{Name: "@radish/" + name, Net: "unixpacket"}
}

// ClaimNamespace claims NAME in the calling thread's network namespace. It
// returns a nil claim and no error when another process holds it; errors
// are for sockets that could not be used at all.
func ClaimNamespace(name string) (*NamespaceClaim, error) {
	l, err := net.ListenUnix("unixpacket", claimAddr(name))
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("iface: claim %s: %w", name, err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil { // out of descriptors, say: try again shortly
				time.Sleep(100 * time.Millisecond)
				continue
			}
			c.Close()
		}
	}()
	return &NamespaceClaim{l: l}, nil
}

// NamespaceHolder returns the pid of the process holding NAME in the
// calling thread's network namespace, or 0 when none does or it cannot be
// learned within a second.
func NamespaceHolder(name string) int {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(context.Background(), "unixpacket", claimAddr(name).Name)
	if err != nil {
		return 0
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0
	}
	pid := 0
	raw.Control(func(fd uintptr) {
		if cred, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED); err == nil {
			pid = int(cred.Pid)
		}
	})
	return pid
}

// Close gives the claim up.
func (c *NamespaceClaim) Close() error {
	if c == nil {
		return nil
	}
	return c.l.Close()
}
