package ra

// Template is a Router Advertisement compiled once on the control plane
// (Compile, Split) and sent many times on the data plane: per packet the
// caller copies it into its send buffer with AppendTo and patches the
// lifetimes that changed, without rebuilding the options:
//
//	// control plane, on start, reload or link change:
//	tmpl, err := ra.Compile(hdr, opts)
//
//	// data plane, per RA; buf is the loop's reused send buffer:
//	msg := tmpl.AppendTo(buf[:0])
//	if final {
//		ra.SetRouterLifetime(msg, 0)                // RFC 4861 §6.2.5
//		tmpl.SetLifetimes(msg, ra.TypeRDNSS, 0)     // FlushRDNSS
//		tmpl.SetLifetimes(msg, ra.TypeDNSSL, 0)     // FlushDNSSL
//		tmpl.SetPreferredLifetime(msg, iPrefix, 0)  // DeprecatePrefix
//	}
//	tmpl.SetLifetime(msg, iPrefix, remaining)       // DecrementLifetimes
//
// Options are addressed by their index in the []OptionSpec given to
// Compile or Split, so the same index works on every template Split
// returns (the setters report false on templates that do not carry that
// option). The patchable fields are the Router Lifetime, the valid and
// preferred lifetimes of Prefix Information options, and the lifetimes of
// Route Information, RDNSS, DNSSL, PREF64 and DNR options.
//
// AppendTo and the setters do not allocate. A Template is immutable after
// compilation and may be shared between goroutines; the setters modify
// only the caller's copy msg, which must be the result of t.AppendTo
// (offsets are relative to its start).
type Template struct {
	b       []byte
	patches []patch
}

// patch records where an option of a patchable type sits in the template.
type patch struct {
	opt  int        // index in the caller's option list
	typ  OptionType // its type
	off  int        // offset of the option's type byte in the message
	size int        // option length in bytes
}

// patchable reports whether options of type t have a lifetime a Template
// can set.
func patchable(t OptionType) bool {
	switch t {
	case TypePrefixInfo, TypeRouteInfo, TypeRDNSS, TypeDNSSL, TypePREF64, TypeDNR:
		return true
	}
	return false
}

// Compile encodes the RA with header h and options opts, in that order,
// into a Template. Errors are those of the options' AppendTo (ErrInvalid,
// ErrDomainName, ErrTooBig), returned unwrapped.
// Compile does not check a size budget: use Split for that.
func Compile(h Header, opts []OptionSpec) (*Template, error) {
	t := &Template{b: h.AppendTo(make([]byte, 0, 256))}
	for i, o := range opts {
		if err := t.add(i, o); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *Template) add(i int, o OptionSpec) error {
	off := len(t.b)
	b, err := o.AppendTo(t.b)
	if err != nil {
		return err
	}
	t.b = b
	// Only options encoded by this package's own value types are
	// patchable: a RawOption (or a foreign OptionSpec) of a patchable type
	// may not have the field where the RFC puts it.
	size := len(b) - off
	if _, raw := o.(RawOption); !raw && patchable(o.OptionType()) && size >= minPatchSize(o.OptionType()) {
		t.patches = append(t.patches, patch{opt: i, typ: o.OptionType(), off: off, size: size})
	}
	return nil
}

// minPatchSize is the option size needed to hold the patched fields.
func minPatchSize(t OptionType) int {
	switch t {
	case TypePrefixInfo:
		return 32
	case TypePREF64:
		return 16
	}
	return 8
}

// PerRA reports whether options of type typ describe the link or the
// router rather than a prefix, route or resolver, so that Split repeats
// them in every RA it produces: Source Link-Layer Address, MTU,
// Advertisement Interval, Home Agent Information, RA Flags Expansion,
// Authoritative Border Router and Captive-Portal.
func PerRA(typ OptionType) bool {
	switch typ {
	case TypeSourceLinkLayerAddr, TypeMTU, TypeAdvInterval, TypeHomeAgentInfo,
		TypeFlagsExpansion, TypeABRO, TypeCaptivePortal:
		return true
	}
	return false
}

// Split compiles the RA with header h and options opts into as few
// Templates as needed so that none exceeds budget bytes of ICMPv6 message
// (AdvRAMTU minus the 40-byte IPv6 header): RFC 6980 forbids fragmenting
// ND messages, so an RA that does not fit is sent as several.
//
// If everything fits, the result is a single template identical to
// Compile's. Otherwise every template carries the full header, then its
// share of the other options in their original order, then the PerRA
// options (in their original order) repeated in each. Options are packed
// greedily in order. If the header and PerRA options alone, or with any
// single other option, exceed the budget, Split returns ErrTooBig.
func Split(h Header, opts []OptionSpec, budget int) ([]*Template, error) {
	one, err := Compile(h, opts)
	if err != nil {
		return nil, err
	}
	if len(one.b) <= budget {
		return []*Template{one}, nil
	}
	// Sizes of each option, from the compiled single template.
	sizes := make([]int, len(opts))
	for i, o := range opts {
		b, err := o.AppendTo(nil)
		if err != nil {
			return nil, err
		}
		sizes[i] = len(b)
	}
	base := RouterAdvertLen
	for i, o := range opts {
		if PerRA(o.OptionType()) {
			base += sizes[i]
		}
	}
	if base > budget {
		return nil, ErrTooBig
	}
	var out []*Template
	var cur []int
	size := base
	flush := func() error {
		t := &Template{b: h.AppendTo(make([]byte, 0, size))}
		for _, i := range cur {
			if err := t.add(i, opts[i]); err != nil {
				return err
			}
		}
		for i, o := range opts {
			if PerRA(o.OptionType()) {
				if err := t.add(i, o); err != nil {
					return err
				}
			}
		}
		out = append(out, t)
		cur, size = cur[:0], base
		return nil
	}
	for i, o := range opts {
		if PerRA(o.OptionType()) {
			continue
		}
		if base+sizes[i] > budget {
			return nil, ErrTooBig
		}
		if size+sizes[i] > budget {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		cur = append(cur, i)
		size += sizes[i]
	}
	if len(cur) > 0 || len(out) == 0 {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Len returns the length of the compiled message in bytes.
func (t *Template) Len() int { return len(t.b) }

// Bytes returns the compiled message (checksum zero). The caller must not
// modify it.
func (t *Template) Bytes() []byte { return t.b }

// AppendTo appends a copy of the compiled message to dst. It does not
// allocate when dst has room for Len more bytes.
func (t *Template) AppendTo(dst []byte) []byte { return append(dst, t.b...) }

// Has reports whether option i (an index in the list given to Compile or
// Split) is patchable and carried by this template.
func (t *Template) Has(i int) bool {
	for _, p := range t.patches {
		if p.opt == i {
			return true
		}
	}
	return false
}

// SetLifetime sets the lifetime of option i in msg, a copy of t: the
// Valid Lifetime of a Prefix Information option, the lifetime of a Route
// Information, RDNSS, DNSSL or DNR option (seconds), or the lifetime of a
// PREF64 option (seconds, rounded up to units of 8 and saturated at
// MaxPREF64Lifetime). It reports false, changing nothing, if option i is
// not in t or has no lifetime.
func (t *Template) SetLifetime(msg []byte, i int, seconds uint32) bool {
	for _, p := range t.patches {
		if p.opt == i {
			setLifetime(msg, p, seconds)
			return true
		}
	}
	return false
}

// SetPreferredLifetime sets the Preferred Lifetime of Prefix Information
// option i in msg, a copy of t. It reports false, changing nothing, if
// option i is not a Prefix Information option in t.
func (t *Template) SetPreferredLifetime(msg []byte, i int, seconds uint32) bool {
	for _, p := range t.patches {
		if p.opt == i && p.typ == TypePrefixInfo {
			put32(msg[p.off+offPreferredLife:], seconds)
			return true
		}
	}
	return false
}

// SetLifetimes sets the lifetime (as SetLifetime) of every option of type
// typ in msg, a copy of t, e.g. SetLifetimes(msg, TypeRDNSS, 0) for a
// final RA that flushes the resolvers. It returns how many it set.
func (t *Template) SetLifetimes(msg []byte, typ OptionType, seconds uint32) int {
	n := 0
	for _, p := range t.patches {
		if p.typ == typ {
			setLifetime(msg, p, seconds)
			n++
		}
	}
	return n
}

func setLifetime(msg []byte, p patch, seconds uint32) {
	if p.typ == TypePREF64 {
		f := msg[p.off+offPREF64Life:]
		put16(f, scaledLifetime(seconds)<<3|be16(f)&7)
		return
	}
	put32(msg[p.off+offLifetime:], seconds)
}

// OptionOffset returns the offset in t's message of option i's type byte
// and its length in bytes, for patchable options carried by t; ok is
// false otherwise. It lets callers patch fields this type has no setter
// for.
func (t *Template) OptionOffset(i int) (off, size int, ok bool) {
	for _, p := range t.patches {
		if p.opt == i {
			return p.off, p.size, true
		}
	}
	return 0, 0, false
}
