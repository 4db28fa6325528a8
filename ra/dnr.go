package ra

import "net/netip"

// DNR is an Encrypted DNS option for RAs (RFC 9463 §6.1), announcing a
// network-designated encrypted resolver:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Length    |        Service Priority       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                          Lifetime                             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          ADN Length           |                               :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               :
//	:             Authentication Domain Name (variable length)      :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Addr Length           |                               :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               :
//	:                 ipv6-address(es) (variable length)            :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      SvcParams Length         |                               :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               :
//	:                 SvcParams (variable length)                   :
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	:                           Padding                             :
//
// With no Addrs the option is in ADN-only mode: it ends after the ADN
// (and padding). It is the builder's input; ParseDNR returns a DNRView.
type DNR struct {
	Priority  uint16
	Lifetime  uint32       // seconds, or Infinity; 0 withdraws the resolver
	ADN       string       // authentication domain name, dotted form
	Addrs     []netip.Addr // IPv6 only; empty for ADN-only mode
	SvcParams []byte       // SvcParams in wire form (RFC 9460 §2.2); only with Addrs
}

// OptionType implements OptionSpec.
func (DNR) OptionType() OptionType { return TypeDNR }

// AppendTo implements OptionSpec. An invalid ADN is ErrDomainName;
// SvcParams without Addrs, or a non-IPv6 address, is ErrInvalid; an option
// over 2040 bytes is ErrTooBig.
func (d DNR) AppendTo(dst []byte) ([]byte, error) {
	if len(d.Addrs) == 0 && len(d.SvcParams) > 0 {
		return dst, ErrInvalid
	}
	for _, a := range d.Addrs {
		if !a.Is6() || a.Is4In6() {
			return dst, ErrInvalid
		}
	}
	start := len(dst)
	dst, b := grow(dst, 10)
	b[0] = byte(TypeDNR)
	put16(b[2:], d.Priority)
	put32(b[offLifetime:], d.Lifetime)
	var err error
	if dst, err = AppendDomainName(dst, d.ADN); err != nil {
		return dst[:start], err
	}
	put16(dst[start+8:], uint16(len(dst)-start-10))
	if len(d.Addrs) > 0 {
		if 16*len(d.Addrs)+len(d.SvcParams) > maxOptionLen {
			return dst[:start], ErrTooBig
		}
		dst = append(dst, byte(16*len(d.Addrs)>>8), byte(16*len(d.Addrs)))
		for _, a := range d.Addrs {
			a16 := a.As16()
			dst = append(dst, a16[:]...)
		}
		dst = append(dst, byte(len(d.SvcParams)>>8), byte(len(d.SvcParams)))
		dst = append(dst, d.SvcParams...)
	}
	n := padLen(len(dst) - start)
	if n > maxOptionLen {
		return dst[:start], ErrTooBig
	}
	dst, _ = grow(dst, n-(len(dst)-start))
	dst[start+1] = byte(n / 8)
	return dst, nil
}

// DNRView is a validated view of a received Encrypted DNS option; it
// aliases the message.
type DNRView struct {
	b       []byte // option body
	adn     []byte // wire-form ADN
	addrs   []byte // packed addresses; nil in ADN-only mode
	params  []byte
	adnOnly bool
}

// ParseDNR checks an Encrypted DNS option (RFC 9463 §6.1): the ADN is a
// valid uncompressed name filling exactly ADN Length; then either only
// zero padding follows (ADN-only mode) or an address list whose length is
// a non-zero multiple of 16, and SvcParams, within the option.
func ParseDNR(o Option) (DNRView, error) {
	b := o.Body
	if o.Type != TypeDNR || len(b) < 8 {
		return DNRView{}, ErrBadOption
	}
	v := DNRView{b: b}
	adnLen := int(be16(b[6:]))
	rest := b[8:]
	if adnLen == 0 || adnLen > len(rest) {
		return DNRView{}, ErrBadOption
	}
	if n, ok := nameLen(rest[:adnLen]); !ok || n != adnLen || n == 1 {
		return DNRView{}, ErrBadOption
	}
	v.adn, rest = rest[:adnLen], rest[adnLen:]
	if len(rest) < 8 && allZero(rest) {
		v.adnOnly = true
		return v, nil
	}
	if len(rest) < 2 {
		return DNRView{}, ErrBadOption
	}
	al := int(be16(rest))
	rest = rest[2:]
	if al == 0 || al%16 != 0 || al > len(rest) {
		return DNRView{}, ErrBadOption
	}
	v.addrs, rest = rest[:al], rest[al:]
	if len(rest) < 2 {
		return DNRView{}, ErrBadOption
	}
	pl := int(be16(rest))
	rest = rest[2:]
	if pl > len(rest) {
		return DNRView{}, ErrBadOption
	}
	v.params = rest[:pl]
	return v, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Priority returns the Service Priority.
func (v DNRView) Priority() uint16 { return be16(v.b) }

// Lifetime returns the Lifetime in seconds.
func (v DNRView) Lifetime() uint32 { return be32(v.b[2:]) }

// ADN returns the authentication domain name in wire form.
func (v DNRView) ADN() []byte { return v.adn }

// AppendADN appends the authentication domain name in dotted form.
func (v DNRView) AppendADN(dst []byte) []byte { return appendNameText(dst, v.adn) }

// ADNOnly reports whether the option is in ADN-only mode (no addresses).
func (v DNRView) ADNOnly() bool { return v.adnOnly }

// NumAddrs returns the number of resolver addresses.
func (v DNRView) NumAddrs() int { return len(v.addrs) / 16 }

// Addr returns address i, 0 ≤ i < NumAddrs().
func (v DNRView) Addr(i int) netip.Addr { return netip.AddrFrom16([16]byte(v.addrs[16*i:])) }

// SvcParams returns the SvcParams in wire form (RFC 9460 §2.2).
func (v DNRView) SvcParams() []byte { return v.params }
