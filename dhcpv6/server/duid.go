package server

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/iface"
)

// DUIDFile is the name of the file in DHCPv6Server.StateDir that holds a
// generated DUID-LLT, as hex digits and a newline.
const DUIDFile = "duid"

// hwEthernet is the ARP hardware type of Ethernet (RFC 826; IANA
// "Hardware Types"), used in DUID-LLT and DUID-LL.
const hwEthernet = 1

// errNoMAC: a DUID-LL(T) needs a link with a MAC and none is known yet.
var errNoMAC = errors.New("no served link with a MAC address is known yet")

// makeDUID builds the server DUID as configured (RFC 9915 §11). links are
// the kernel's links, used for "ll" and "llt"; mac is the MAC chosen by
// pickMAC (zero if none). It returns errNoMAC when the DUID needs a MAC and
// none is available yet: the caller retries when links change.
//
// "llt" is read from StateDir/duid if that file holds a valid DUID;
// otherwise a DUID-LLT is generated from the MAC and the current time and
// written there atomically (a temporary file linked into place, so two
// daemons starting at once agree on one). When the state directory cannot
// be written, a warning is logged and a DUID-LL from the same MAC is used
// instead: it is stable as long as the MAC is, which a DUID-LLT that is not
// stored would not be.
func makeDUID(c config.DUID, stateDir string, mac []byte, log *slog.Logger) (dhcpv6.DUID, error) {
	switch c.Kind {
	case "en":
		return dhcpv6.AppendDUIDEN(nil, c.Enterprise, c.ID)
	case "uuid":
		if len(c.ID) != 16 {
			return nil, fmt.Errorf("dhcpv6 duid: uuid must be 16 bytes, have %d", len(c.ID))
		}
		return dhcpv6.AppendDUIDUUID(nil, [16]byte(c.ID)), nil
	case "raw":
		return dhcpv6.ParseDUID(bytes.Clone(c.ID))
	case "ll":
		if mac == nil {
			return nil, errNoMAC
		}
		return dhcpv6.AppendDUIDLL(nil, hwEthernet, mac)
	case "llt", "":
		if stateDir != "" {
			if d, err := readDUID(filepath.Join(stateDir, DUIDFile)); err == nil {
				return d, nil
			} else if !errors.Is(err, os.ErrNotExist) {
				log.Warn("dhcpv6: ignoring unusable stored DUID", "file", filepath.Join(stateDir, DUIDFile), "err", err)
			}
		}
		if mac == nil {
			return nil, errNoMAC
		}
		d, err := dhcpv6.AppendDUIDLLT(nil, hwEthernet, dhcpv6.DUIDTime(time.Now()), mac)
		if err != nil {
			return nil, err
		}
		if stateDir == "" {
			log.Warn("dhcpv6: no state directory for the DUID-LLT; using a DUID-LL instead")
			return dhcpv6.AppendDUIDLL(nil, hwEthernet, mac)
		}
		stored, err := storeDUID(stateDir, d)
		if err != nil {
			log.Warn("dhcpv6: cannot store the DUID-LLT; using a DUID-LL instead, which changes if the MAC does",
				"dir", stateDir, "err", err)
			return dhcpv6.AppendDUIDLL(nil, hwEthernet, mac)
		}
		return stored, nil
	}
	return nil, fmt.Errorf("dhcpv6 duid: unknown type %q", c.Kind)
}

// pickMAC returns the MAC for a DUID-LL(T): that of the link named ifName
// if set, else that of the served link with the lowest index that has one.
func pickMAC(ifName string, links map[int]iface.Link, served func(string) bool) []byte {
	best := 0
	for idx, l := range links {
		if l.HardwareAddr == ([6]byte{}) {
			continue
		}
		if ifName != "" {
			if l.Name == ifName {
				return l.HardwareAddr[:]
			}
			continue
		}
		if served(l.Name) && (best == 0 || idx < best) {
			best = idx
		}
	}
	if best == 0 {
		return nil
	}
	mac := links[best].HardwareAddr
	return mac[:]
}

func readDUID(path string) (dhcpv6.DUID, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d, err := dhcpv6.ParseDUID(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// storeDUID writes d to dir/duid unless another process got there first,
// and returns the DUID that is stored.
func storeDUID(dir string, d dhcpv6.DUID) (dhcpv6.DUID, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".duid-*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.WriteString(hex.EncodeToString(d) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, DUIDFile)
	switch err := os.Link(tmp, path); {
	case err == nil:
	case errors.Is(err, os.ErrExist):
		// Another instance stored one first, or a damaged file is in the
		// way (readDUID failed above): keep a valid one, replace junk.
		if cur, rerr := readDUID(path); rerr == nil {
			return cur, nil
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	if dirf, err := os.Open(dir); err == nil {
		_ = dirf.Sync()
		dirf.Close()
	}
	return d, nil
}
