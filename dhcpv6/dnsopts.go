package dhcpv6

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// Errors from the control-plane option builders.
var (
	// ErrDomainName: a name is not a valid DNS name in wire form (labels
	// of 1..63 octets, 255 octets in all, RFC 1035 §3.1).
	ErrDomainName = errors.New("dhcpv6: invalid domain name")
	// ErrAddress: an address is not an IPv6 address.
	ErrAddress = errors.New("dhcpv6: not an IPv6 address")
	// ErrOptionTooLong: the encoded option would exceed 65535 octets.
	ErrOptionTooLong = errors.New("dhcpv6: option too long")
	// ErrDNR: a DNR option's fields are inconsistent (RFC 9463 §4.1).
	ErrDNR = errors.New("dhcpv6: invalid DNR option")
)

// AppendDomainName appends name in DNS wire form without compression
// (RFC 1035 §3.1; RFC 9915 §10): length-prefixed labels ending with the
// root label. A trailing dot is optional; "." or "" is the root.
func AppendDomainName(dst []byte, name string) ([]byte, error) {
	if len(name) > 0 && name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	start := len(dst)
	for len(name) > 0 {
		i := 0
		for i < len(name) && name[i] != '.' {
			i++
		}
		if i == 0 || i > 63 {
			return dst[:start], ErrDomainName
		}
		dst = append(dst, byte(i))
		dst = append(dst, name[:i]...)
		if i == len(name) {
			name = ""
		} else {
			name = name[i+1:]
			if name == "" { // "a..": empty label
				return dst[:start], ErrDomainName
			}
		}
	}
	dst = append(dst, 0)
	if len(dst)-start > 255 {
		return dst[:start], ErrDomainName
	}
	return dst, nil
}

func appendAddrs(dst []byte, addrs []netip.Addr) ([]byte, error) {
	for _, a := range addrs {
		if !a.Is6() || a.Is4In6() {
			return dst, ErrAddress
		}
		b := a.As16()
		dst = append(dst, b[:]...)
	}
	return dst, nil
}

func finish(dst []byte, start int) ([]byte, error) {
	if len(dst)-start-4 > 0xffff {
		return dst[:start], ErrOptionTooLong
	}
	return FinishOption(dst, start), nil
}

func appendAddrOption(dst []byte, c OptionCode, addrs []netip.Addr) ([]byte, error) {
	dst, start := StartOption(dst, c)
	dst, err := appendAddrs(dst, addrs)
	if err != nil {
		return dst[:start], err
	}
	return finish(dst, start)
}

// AppendDNSServers appends a DNS Recursive Name Server option (RFC 3646
// §3), addresses in preference order.
func AppendDNSServers(dst []byte, addrs ...netip.Addr) ([]byte, error) {
	return appendAddrOption(dst, OptDNSServers, addrs)
}

// AppendSNTPServers appends an SNTP Servers option (RFC 4075 §4).
func AppendSNTPServers(dst []byte, addrs ...netip.Addr) ([]byte, error) {
	return appendAddrOption(dst, OptSNTPServers, addrs)
}

// AppendDomainSearch appends a Domain Search List option (RFC 3646 §4):
// the names in wire form, uncompressed (RFC 9915 §10).
func AppendDomainSearch(dst []byte, names ...string) ([]byte, error) {
	dst, start := StartOption(dst, OptDomainList)
	for _, n := range names {
		var err error
		if dst, err = AppendDomainName(dst, n); err != nil {
			return dst[:start], err
		}
	}
	return finish(dst, start)
}

// NTP Server suboption codes (RFC 5908 §4).
const (
	NTPSuboptionAddr      uint16 = 1 // NTP_SUBOPTION_SRV_ADDR
	NTPSuboptionMulticast uint16 = 2 // NTP_SUBOPTION_MC_ADDR
	NTPSuboptionFQDN      uint16 = 3 // NTP_SUBOPTION_SRV_FQDN
)

// AppendNTPServerAddr appends an NTP Server option (RFC 5908 §4) holding
// one server-address suboption. Like Kea, radish sends one suboption per
// option instance; several instances may follow each other.
func AppendNTPServerAddr(dst []byte, addr netip.Addr) ([]byte, error) {
	return appendNTPAddr(dst, NTPSuboptionAddr, addr)
}

// AppendNTPMulticast appends an NTP Server option (RFC 5908 §4) holding
// one multicast-address suboption.
func AppendNTPMulticast(dst []byte, addr netip.Addr) ([]byte, error) {
	return appendNTPAddr(dst, NTPSuboptionMulticast, addr)
}

func appendNTPAddr(dst []byte, sub uint16, addr netip.Addr) ([]byte, error) {
	if !addr.Is6() || addr.Is4In6() {
		return dst, ErrAddress
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(OptNTPServer))
	dst = append(dst, 0, 20)
	dst = binary.BigEndian.AppendUint16(dst, sub)
	dst = append(dst, 0, 16)
	b := addr.As16()
	return append(dst, b[:]...), nil
}

// AppendNTPServerFQDN appends an NTP Server option (RFC 5908 §4) holding
// one server-FQDN suboption, the name uncompressed.
func AppendNTPServerFQDN(dst []byte, name string) ([]byte, error) {
	dst, start := StartOption(dst, OptNTPServer)
	dst = binary.BigEndian.AppendUint16(dst, NTPSuboptionFQDN)
	dst = append(dst, 0, 0)
	dst, err := AppendDomainName(dst, name)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint16(dst[start+6:], uint16(len(dst)-start-8))
	return FinishOption(dst, start), nil
}

// VendorOption is one option-data entry of a Vendor-specific Information
// option: a vendor-defined code and its data (RFC 9915 §21.17).
type VendorOption struct {
	Code uint16
	Data []byte
}

// AppendVendorOpts appends a Vendor-specific Information option
// (RFC 9915 §21.17) for one enterprise number. A server sends at most one
// per enterprise number.
func AppendVendorOpts(dst []byte, enterprise uint32, opts ...VendorOption) ([]byte, error) {
	dst, start := StartOption(dst, OptVendorOpts)
	dst = binary.BigEndian.AppendUint32(dst, enterprise)
	for _, o := range opts {
		if len(o.Data) > 0xffff {
			return dst[:start], ErrOptionTooLong
		}
		dst = binary.BigEndian.AppendUint16(dst, o.Code)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(o.Data)))
		dst = append(dst, o.Data...)
	}
	return finish(dst, start)
}

// AppendDNR appends an Encrypted DNS (DNR) option in its DHCPv6 form
// (RFC 9463 §4.1):
//
//	service-priority (2) | ADN length (2) | ADN | Addr length (2) |
//	ipv6-address(es) | SvcParams
//
// With no addresses the option is in ADN-only mode: the Addr length and
// SvcParams fields are omitted, so svcParams must be empty (ErrDNR).
// svcParams is the SvcParams field in wire form (RFC 9460 §2.2), keys in
// ascending order; see AppendSvcParams. Service priority 0 is reserved
// and rejected.
func AppendDNR(dst []byte, priority uint16, adn string, addrs []netip.Addr, svcParams []byte) ([]byte, error) {
	if priority == 0 || (len(addrs) == 0 && len(svcParams) > 0) || adn == "" || adn == "." {
		return dst, ErrDNR
	}
	dst, start := StartOption(dst, OptDNR)
	dst = binary.BigEndian.AppendUint16(dst, priority)
	dst = append(dst, 0, 0)
	nameOff := len(dst)
	dst, err := AppendDomainName(dst, adn)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint16(dst[nameOff-2:], uint16(len(dst)-nameOff))
	if len(addrs) > 0 {
		if 16*len(addrs) > 0xffff {
			return dst[:start], ErrOptionTooLong
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(16*len(addrs)))
		if dst, err = appendAddrs(dst, addrs); err != nil {
			return dst[:start], err
		}
		dst = append(dst, svcParams...)
	}
	return finish(dst, start)
}
