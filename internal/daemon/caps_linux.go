package daemon

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"
)

// Capability numbers from linux/capability.h.
const (
	CapNetAdmin = 12 // network sysctls (/proc/sys/net/ipv6/conf/IF/*), interface settings
	CapNetRaw   = 13 // raw ICMPv6 and AF_PACKET sockets
)

// Capability sets for capset(2), version 3: two 32-bit words per set.
const (
	linuxCapabilityVersion3 = 0x20080522
	prSetKeepCaps           = 8
)

type capHeader struct {
	version uint32
	pid     int32
}

type capData struct {
	effective, permitted, inheritable uint32
}

// errThreadsUnsupported: the binary is linked with cgo, where Go cannot
// apply a per-thread syscall (prctl, capset) to every thread.
var errThreadsUnsupported = errors.New("per-thread capability calls need a CGO_ENABLED=0 build")

// allThreads runs a raw syscall on every thread of the process.
func allThreads(trap, a1, a2, a3 uintptr) error {
	_, _, errno := syscall.AllThreadsSyscall(trap, a1, a2, a3)
	switch errno {
	case 0:
		return nil
	case syscall.ENOTSUP:
		return errThreadsUnsupported
	default:
		return errno
	}
}

// keepCapsAcrossSetuid sets PR_SET_KEEPCAPS on every thread so the
// permitted set survives the coming setuid away from root.
func keepCapsAcrossSetuid(on bool) error {
	v := uintptr(0)
	if on {
		v = 1
	}
	return allThreads(syscall.SYS_PRCTL, prSetKeepCaps, v, 0)
}

// limitCaps makes caps the only capabilities left, effective and
// permitted, with nothing inheritable, on every thread.
func limitCaps(caps []int) error {
	var data [2]capData
	for _, c := range caps {
		if c < 0 || c >= 64 {
			return fmt.Errorf("capability %d out of range", c)
		}
		data[c/32].effective |= 1 << (c % 32)
		data[c/32].permitted |= 1 << (c % 32)
	}
	hdr := capHeader{version: linuxCapabilityVersion3}
	return allThreads(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
}

// EffectiveCaps returns the calling thread's effective capability mask.
func EffectiveCaps() (uint64, error) {
	var data [2]capData
	hdr := capHeader{version: linuxCapabilityVersion3}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); errno != 0 {
		return 0, errno
	}
	return uint64(data[0].effective) | uint64(data[1].effective)<<32, nil
}
