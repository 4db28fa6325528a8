package daemon

import (
	"errors"
	"fmt"
	"os/user"
	"strconv"
	"syscall"
)

// Credentials identify the user a daemon drops to.
type Credentials struct {
	Name   string
	UID    int
	GID    int   // primary group
	Groups []int // supplementary groups, including GID, as initgroups(3) sets them
}

// LookupUser resolves a user name (or numeric uid) and its groups. It uses
// os/user: in radish's static (CGO_ENABLED=0) build that reads /etc/passwd
// and /etc/group directly; a cgo build goes through NSS like radvd's
// getpwnam. Resolve before Chroot: the chroot rarely has /etc/passwd.
func LookupUser(name string) (Credentials, error) {
	u, err := user.Lookup(name)
	if _, nerr := strconv.Atoi(name); err != nil && nerr == nil {
		if byID, idErr := user.LookupId(name); idErr == nil {
			u, err = byID, nil
		}
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("couldn't find user '%s': %w", name, err)
	}
	c := Credentials{Name: u.Username}
	if c.UID, err = strconv.Atoi(u.Uid); err != nil {
		return Credentials{}, fmt.Errorf("user %s: uid %q: %w", name, u.Uid, err)
	}
	if c.GID, err = strconv.Atoi(u.Gid); err != nil {
		return Credentials{}, fmt.Errorf("user %s: gid %q: %w", name, u.Gid, err)
	}
	c.Groups = []int{c.GID}
	if ids, err := u.GroupIds(); err == nil {
		for _, s := range ids {
			if g, err := strconv.Atoi(s); err == nil && g != c.GID {
				c.Groups = append(c.Groups, g)
			}
		}
	}
	return c, nil
}

// Drop switches the whole process (every thread: Go's syscall package
// applies set*id to all threads since Go 1.16) to c: supplementary
// groups, then group, then user, as radvd's initgroups/setgid/setuid. It
// then checks that root cannot be regained. No capability survives; see
// DropKeeping.
func (c Credentials) Drop() error {
	_, err := c.DropKeeping()
	return err
}

// DropKeeping is Drop that keeps the capabilities listed in keep (and no
// others) effective after the switch, on every thread. radvd keeps a
// privileged helper process after -u to write interface sysctls on
// reload; radish keeps CapNetAdmin and CapNetRaw instead, which lets the
// unprivileged daemon write /proc/sys/net/ipv6/conf/IF/* and open raw and
// packet sockets for links that appear later, and nothing else (no
// CAP_SETUID, no file access beyond the user's).
//
// kept reports whether keep is in force. It is false for an empty keep,
// and in a binary linked with cgo, where Go cannot apply prctl and capset
// to every thread: there the drop still happens, without capabilities, as
// Drop does. radish's own build is CGO_ENABLED=0.
func (c Credentials) DropKeeping(keep ...int) (kept bool, err error) {
	if len(keep) > 0 {
		switch err := keepCapsAcrossSetuid(true); {
		case err == nil:
			kept = true
		case errors.Is(err, errThreadsUnsupported):
		default:
			return false, fmt.Errorf("user %s: prctl(PR_SET_KEEPCAPS): %w", c.Name, err)
		}
	}
	if err := syscall.Setgroups(c.Groups); err != nil {
		return false, fmt.Errorf("couldn't change to '%s' uid=%d gid=%d: setgroups: %w", c.Name, c.UID, c.GID, err)
	}
	if err := syscall.Setgid(c.GID); err != nil {
		return false, fmt.Errorf("couldn't change to '%s' uid=%d gid=%d: setgid: %w", c.Name, c.UID, c.GID, err)
	}
	if err := syscall.Setuid(c.UID); err != nil {
		return false, fmt.Errorf("couldn't change to '%s' uid=%d gid=%d: setuid: %w", c.Name, c.UID, c.GID, err)
	}
	if kept {
		if err := limitCaps(keep); err != nil {
			return false, fmt.Errorf("user %s: capset: %w", c.Name, err)
		}
		if err := keepCapsAcrossSetuid(false); err != nil {
			return false, fmt.Errorf("user %s: prctl(PR_SET_KEEPCAPS): %w", c.Name, err)
		}
	}
	if c.UID != 0 && syscall.Setuid(0) == nil {
		return false, fmt.Errorf("user %s: root privileges could be regained after setuid", c.Name)
	}
	return kept, nil
}

// DropPrivileges looks up user and drops to it; see LookupUser and
// Credentials.Drop.
func DropPrivileges(user string) error {
	c, err := LookupUser(user)
	if err != nil {
		return err
	}
	return c.Drop()
}

// Chroot changes the root directory to dir and the working directory to
// the new root, as radvd's -t does. radvd refuses -t without -u ("Chroot
// as root is not safe"); radvdcli.Parse enforces that. Paths given on the
// command line (config, pidfile, logfile) are then resolved inside dir.
func Chroot(dir string) error {
	if err := syscall.Chroot(dir); err != nil {
		return fmt.Errorf("chroot %s: %w", dir, err)
	}
	if err := syscall.Chdir("/"); err != nil {
		return fmt.Errorf("chdir /: %w", err)
	}
	return nil
}
