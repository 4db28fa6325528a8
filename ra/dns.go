package ra

import "net/netip"

// RDNSS is a Recursive DNS Server option (RFC 8106 §5.1):
//
//	|     Type      |     Length    |           Reserved            |
//	|                           Lifetime                            |
//	:            Addresses of IPv6 Recursive DNS Servers            :
//
// It is the builder's input; ParseRDNSS returns an RDNSSView.
type RDNSS struct {
	Lifetime uint32 // seconds, or Infinity; 0 withdraws the servers
	Servers  []netip.Addr
}

// OptionType implements OptionSpec.
func (RDNSS) OptionType() OptionType { return TypeRDNSS }

// AppendTo implements OptionSpec. At least one server is required, all
// IPv6; more than 127 is ErrTooBig.
func (r RDNSS) AppendTo(dst []byte) ([]byte, error) {
	if len(r.Servers) == 0 {
		return dst, ErrInvalid
	}
	if len(r.Servers) > 127 {
		return dst, ErrTooBig
	}
	for _, s := range r.Servers {
		if !s.Is6() || s.Is4In6() {
			return dst, ErrInvalid
		}
	}
	n := 8 + 16*len(r.Servers)
	dst, b := grow(dst, n)
	b[0], b[1] = byte(TypeRDNSS), byte(n/8)
	put32(b[offLifetime:], r.Lifetime)
	for i, s := range r.Servers {
		a := s.As16()
		copy(b[8+16*i:], a[:])
	}
	return dst, nil
}

// RDNSSView is a validated view of a received RDNSS option; it aliases
// the message.
type RDNSSView struct{ b []byte }

// ParseRDNSS checks an RDNSS option: odd length ≥ 3 (RFC 8106 §5.1).
func ParseRDNSS(o Option) (RDNSSView, error) {
	if o.Type != TypeRDNSS || len(o.Body) < 22 || (len(o.Body)-6)%16 != 0 {
		return RDNSSView{}, ErrBadOption
	}
	return RDNSSView{b: o.Body}, nil
}

// Lifetime returns the Lifetime field in seconds.
func (v RDNSSView) Lifetime() uint32 { return be32(v.b[2:]) }

// Len returns the number of servers.
func (v RDNSSView) Len() int { return (len(v.b) - 6) / 16 }

// Server returns server i, 0 ≤ i < Len().
func (v RDNSSView) Server(i int) netip.Addr {
	return netip.AddrFrom16([16]byte(v.b[6+16*i:]))
}

// DNSSL is a DNS Search List option (RFC 8106 §5.2): domain names in the
// RFC 1035 §3.1 label format, without compression, zero-padded to a
// multiple of 8 bytes.
//
//	|     Type      |     Length    |           Reserved            |
//	|                           Lifetime                            |
//	:                Domain Names of DNS Search List                :
//
// It is the builder's input; ParseDNSSL returns a DNSSLView.
type DNSSL struct {
	Lifetime uint32 // seconds, or Infinity; 0 withdraws the names
	// Domains in dotted form ("example.com", a trailing dot is allowed).
	// Labels are 1..63 bytes of letters, digits, '-' and '_'; a name is at
	// most 255 bytes on the wire.
	Domains []string
}

// OptionType implements OptionSpec.
func (DNSSL) OptionType() OptionType { return TypeDNSSL }

// AppendTo implements OptionSpec. No domains is ErrInvalid, an invalid
// name ErrDomainName, and names that do not fit one option ErrTooBig.
func (d DNSSL) AppendTo(dst []byte) ([]byte, error) {
	if len(d.Domains) == 0 {
		return dst, ErrInvalid
	}
	start := len(dst)
	dst, b := grow(dst, 8)
	b[0] = byte(TypeDNSSL)
	put32(b[offLifetime:], d.Lifetime)
	for _, name := range d.Domains {
		var err error
		if dst, err = AppendDomainName(dst, name); err != nil {
			return dst[:start], err
		}
	}
	n := padLen(len(dst) - start)
	if n > maxOptionLen {
		return dst[:start], ErrTooBig
	}
	dst, _ = grow(dst, n-(len(dst)-start))
	dst[start+1] = byte(n / 8)
	return dst, nil
}

// AppendDomainName appends name (dotted text, optional trailing dot) in
// RFC 1035 §3.1 wire form, ending with the root label. Labels must be
// 1..63 bytes of ASCII letters, digits, '-' or '_', and the encoded name at
// most 255 bytes; otherwise it returns dst unchanged and ErrDomainName.
func AppendDomainName(dst []byte, name string) ([]byte, error) {
	if len(name) > 0 && name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	if len(name) == 0 || len(name)+2 > 255 {
		return dst, ErrDomainName
	}
	start := len(dst)
	for len(name) > 0 {
		i := 0
		for i < len(name) && name[i] != '.' {
			if !ldh(name[i]) {
				return dst[:start], ErrDomainName
			}
			i++
		}
		if i == 0 || i > 63 {
			return dst[:start], ErrDomainName
		}
		dst = append(dst, byte(i))
		dst = append(dst, name[:i]...)
		name = name[i:]
		if len(name) > 0 {
			name = name[1:] // the dot
			if len(name) == 0 {
				return dst[:start], ErrDomainName // "a.." form
			}
		}
	}
	return append(dst, 0), nil
}

func ldh(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// DNSSLView is a validated view of a received DNSSL option; it aliases the
// message.
type DNSSLView struct{ b []byte }

// ParseDNSSL checks a DNSSL option: length ≥ 2, at least one name, every
// name a sequence of labels of 1..63 bytes ending with the root label,
// no compression pointers, names at most 255 bytes. The names end at the
// first zero byte where a name would start; the rest is padding.
func ParseDNSSL(o Option) (DNSSLView, error) {
	if o.Type != TypeDNSSL || len(o.Body) < 14 {
		return DNSSLView{}, ErrBadOption
	}
	v := DNSSLView{b: o.Body}
	it := v.Names()
	n := 0
	for it.Next() {
		n++
	}
	if it.err != nil || n == 0 {
		return DNSSLView{}, ErrBadOption
	}
	return v, nil
}

// Lifetime returns the Lifetime field in seconds.
func (v DNSSLView) Lifetime() uint32 { return be32(v.b[2:]) }

// Names iterates the domain names:
//
//	it := v.Names()
//	for it.Next() { buf = it.AppendText(buf[:0]) }
func (v DNSSLView) Names() NameIter {
	if v.b == nil {
		return NameIter{}
	}
	return NameIter{b: v.b[6:]}
}

// NameIter iterates a sequence of uncompressed RFC 1035 domain names that
// ends at the end of its bytes or at a zero byte where a name would start.
type NameIter struct {
	b   []byte
	cur []byte
	err error
}

// Next advances to the next name and reports whether there is one.
func (it *NameIter) Next() bool {
	if len(it.b) == 0 || it.b[0] == 0 {
		it.b = nil
		return false
	}
	n, ok := nameLen(it.b)
	if !ok {
		it.b, it.err = nil, ErrBadOption
		return false
	}
	it.cur, it.b = it.b[:n], it.b[n:]
	return true
}

// Err returns ErrBadOption if a malformed name stopped the iteration.
func (it *NameIter) Err() error { return it.err }

// Wire returns the current name in wire form (labels and root label),
// aliasing the message.
func (it *NameIter) Wire() []byte { return it.cur }

// AppendText appends the current name in dotted form, without a trailing
// dot, to dst.
func (it *NameIter) AppendText(dst []byte) []byte { return appendNameText(dst, it.cur) }

// nameLen returns the wire length of the uncompressed name at the start of
// b, root label included.
func nameLen(b []byte) (int, bool) {
	i := 0
	for {
		if i >= len(b) {
			return 0, false
		}
		l := int(b[i])
		if l == 0 {
			i++
			if i > 255 {
				return 0, false
			}
			return i, true
		}
		if l > 63 || i+1+l > len(b) {
			return 0, false
		}
		i += 1 + l
	}
}

// appendNameText appends the dotted form of the wire name w (as validated
// by nameLen).
func appendNameText(dst, w []byte) []byte {
	first := true
	for len(w) > 0 && w[0] != 0 {
		l := int(w[0])
		if !first {
			dst = append(dst, '.')
		}
		first = false
		dst = append(dst, w[1:1+l]...)
		w = w[1+l:]
	}
	return dst
}
