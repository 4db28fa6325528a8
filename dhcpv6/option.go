package dhcpv6

import "encoding/binary"

// Option is one option: its code and its body (option-data, RFC 9915 §21.1).
// Body aliases the packet it was read from.
type Option struct {
	Code OptionCode
	Body []byte
}

// Options is a scanner over a sequence of encoded options:
//
//	it := m.Options()
//	for it.Next() {
//		o := it.Option()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
//
// Every option is yielded, including codes this package does not know:
// unknown codes are for the caller to skip and are never an error. Over a
// view returned by a Parse function, Err is always nil. Options does not
// allocate.
type Options struct {
	b   []byte
	opt Option
	err error
}

// NewOptions returns a scanner over b, a sequence of encoded options that
// has not been validated. Err reports ErrOptionTruncated if an option runs
// past the end of b; lengths of known options are not checked here.
func NewOptions(b []byte) Options { return Options{b: b} }

// Next advances to the next option and reports whether there is one.
func (it *Options) Next() bool {
	if len(it.b) == 0 || it.err != nil {
		return false
	}
	if len(it.b) < 4 {
		it.err = ErrOptionTruncated
		return false
	}
	n := int(binary.BigEndian.Uint16(it.b[2:4]))
	if len(it.b)-4 < n {
		it.err = ErrOptionTruncated
		return false
	}
	it.opt = Option{Code: OptionCode(binary.BigEndian.Uint16(it.b[0:2])), Body: it.b[4 : 4+n : 4+n]}
	it.b = it.b[4+n:]
	return true
}

// Option returns the current option.
func (it *Options) Option() Option { return it.opt }

// Err returns the error that stopped the scan, or nil at a clean end.
func (it *Options) Err() error { return it.err }

// validateOptions checks that b is a sequence of whole options and that the
// known ones have lengths their RFCs allow. Encapsulated options (inside
// IA_NA and others) are left to the caller.
func validateOptions(b []byte) error {
	it := NewOptions(b)
	for it.Next() {
		if err := checkOption(it.opt); err != nil {
			return err
		}
	}
	return it.err
}

func checkOption(o Option) error {
	n := len(o.Body)
	ok := true
	switch o.Code {
	case OptClientID, OptServerID:
		if n < 3 || n > maxDUIDLen {
			return ErrDUID
		}
	case OptIANA, OptIAPD: // IAID, T1, T2 (§21.4, §21.21)
		ok = n >= 12
	case OptIATA: // IAID (§21.5)
		ok = n >= 4
	case OptORO: // list of 2-octet codes (§21.7)
		ok = n%2 == 0
	case OptPreference:
		ok = n == 1
	case OptElapsedTime, OptRelaySourcePort:
		ok = n == 2
	case OptRelayMessage: // at least a client message header
		ok = n >= 4
	case OptStatusCode:
		ok = n >= 2
	case OptRapidCommit, OptReconfAccept:
		ok = n == 0
	case OptInterfaceID:
		ok = n > 0
	case OptDNSServers, OptSNTPServers:
		ok = n%16 == 0
	case OptInfoRefreshTime, OptSolMaxRT, OptInfMaxRT:
		ok = n == 4
	case OptVendorOpts: // enterprise-number
		ok = n >= 4
	}
	if !ok {
		return ErrOptionLength
	}
	return nil
}

// findOption returns the body of the first option with code c in b, a
// validated option sequence.
func findOption(b []byte, c OptionCode) ([]byte, bool) {
	it := NewOptions(b)
	for it.Next() {
		if it.opt.Code == c {
			return it.opt.Body, true
		}
	}
	return nil, false
}

// IAID returns the IAID of an IA_NA, IA_TA or IA_PD option (RFC 9915 §21.4,
// §21.5, §21.21), the first four octets of its body.
func (o Option) IAID() (uint32, bool) {
	switch o.Code {
	case OptIANA, OptIATA, OptIAPD:
		if len(o.Body) >= 4 {
			return binary.BigEndian.Uint32(o.Body), true
		}
	}
	return 0, false
}

// ORO is a scanner over the option codes in an Option Request option
// (RFC 9915 §21.7):
//
//	oro := m.ORO()
//	for oro.Next() {
//		c := oro.Code()
//	}
type ORO struct {
	b    []byte
	code OptionCode
}

// NewORO returns a scanner over the body of an Option Request option. A
// trailing odd octet is ignored.
func NewORO(body []byte) ORO { return ORO{b: body} }

// Next advances to the next requested code.
func (o *ORO) Next() bool {
	if len(o.b) < 2 {
		return false
	}
	o.code = OptionCode(binary.BigEndian.Uint16(o.b))
	o.b = o.b[2:]
	return true
}

// Code returns the current requested option code.
func (o *ORO) Code() OptionCode { return o.code }

// Contains reports whether the remaining codes include c. It does not move
// the scanner.
func (o ORO) Contains(c OptionCode) bool {
	for o.Next() {
		if o.code == c {
			return true
		}
	}
	return false
}
