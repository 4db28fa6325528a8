package dhcpv6

import "errors"

// MaxSetCodes is the number of distinct option codes an OptionSet can
// hold.
const MaxSetCodes = 64

// ErrTooManyCodes is returned by NewOptionSet when given more than
// MaxSetCodes distinct option codes.
var ErrTooManyCodes = errors.New("dhcpv6: too many option codes in option set")

// OptionSet is a link's configured options, encoded once on the control
// plane and copied into replies on the packet path ("compose on the
// control plane, copy on the data plane").
//
// The options are grouped by code, in order of first appearance; all
// instances of one code (several NTP Server or Vendor-specific options,
// say) form one blob that is sent or not as a whole. Per request,
// AppendRequested copies the blobs whose codes the client's Option Request
// option lists, plus those in the always-send set, each once, in the
// set's order. It does not allocate.
//
// The policy of what to send stays with the caller: the always-send codes
// are a parameter, and a server that must not send a code in some replies
// (the Information Refresh Time outside replies to Information-request,
// RFC 9915 §21.23) derives a second set with Without. An OptionSet is
// immutable after construction and safe for concurrent use.
type OptionSet struct {
	blob    []byte
	entries []setEntry
	always  uint64 // bit i: entries[i] is always sent
}

type setEntry struct {
	code     OptionCode
	off, end int
}

// NewOptionSet compiles encoded, a sequence of options built with the
// Append functions of this package, into an OptionSet. Every option is
// checked as ParseMessage would check it. alwaysSend lists codes sent even
// when the client does not request them; codes in it that encoded does
// not hold are ignored. The Client and Server Identifiers belong in the
// reply header (AppendReplyHeader), not in the set.
func NewOptionSet(encoded []byte, alwaysSend []OptionCode) (*OptionSet, error) {
	if err := validateOptions(encoded); err != nil {
		return nil, err
	}
	s := &OptionSet{blob: make([]byte, 0, len(encoded))}
	it := NewOptions(encoded)
	for it.Next() {
		c := it.opt.Code
		if s.index(c) >= 0 {
			continue
		}
		if len(s.entries) == MaxSetCodes {
			return nil, ErrTooManyCodes
		}
		e := setEntry{code: c, off: len(s.blob)}
		all := NewOptions(encoded)
		for all.Next() {
			if all.opt.Code == c {
				s.blob = AppendOption(s.blob, c, all.opt.Body)
			}
		}
		e.end = len(s.blob)
		s.entries = append(s.entries, e)
	}
	for _, c := range alwaysSend {
		if i := s.index(c); i >= 0 {
			s.always |= 1 << i
		}
	}
	return s, nil
}

func (s *OptionSet) index(c OptionCode) int {
	for i := range s.entries {
		if s.entries[i].code == c {
			return i
		}
	}
	return -1
}

// Lookup returns the encoded option(s) with code c, headers included.
func (s *OptionSet) Lookup(c OptionCode) ([]byte, bool) {
	if i := s.index(c); i >= 0 {
		e := s.entries[i]
		return s.blob[e.off:e.end:e.end], true
	}
	return nil, false
}

// Codes appends the set's option codes, in order, to dst.
func (s *OptionSet) Codes(dst []OptionCode) []OptionCode {
	for _, e := range s.entries {
		dst = append(dst, e.code)
	}
	return dst
}

// AlwaysSend reports whether c is in the set and in its always-send set.
func (s *OptionSet) AlwaysSend(c OptionCode) bool {
	i := s.index(c)
	return i >= 0 && s.always&(1<<i) != 0
}

// Without returns a copy of s without the options whose codes are listed.
// It is for the control plane.
func (s *OptionSet) Without(codes ...OptionCode) *OptionSet {
	n := &OptionSet{blob: make([]byte, 0, len(s.blob))}
	for i, e := range s.entries {
		drop := false
		for _, c := range codes {
			drop = drop || c == e.code
		}
		if drop {
			continue
		}
		ne := setEntry{code: e.code, off: len(n.blob)}
		n.blob = append(n.blob, s.blob[e.off:e.end]...)
		ne.end = len(n.blob)
		if s.always&(1<<i) != 0 {
			n.always |= 1 << len(n.entries)
		}
		n.entries = append(n.entries, ne)
	}
	return n
}

// AppendRequested appends the options requested by oro (an Option Request
// option's codes; see Message.ORO) plus the always-send ones, each code
// once, in the set's order. It does not allocate when dst has capacity.
func (s *OptionSet) AppendRequested(dst []byte, oro ORO) []byte {
	want := s.always
	for oro.Next() {
		if i := s.index(oro.code); i >= 0 {
			want |= 1 << i
		}
	}
	for i := range s.entries {
		if want&(1<<i) != 0 {
			e := s.entries[i]
			dst = append(dst, s.blob[e.off:e.end]...)
		}
	}
	return dst
}

// AppendReply appends a complete server message of type t (Reply or
// Advertise) answering req: AppendReplyHeader (transaction-id, the
// client's Client Identifier if it sent one, serverID) followed by
// AppendRequested for req's Option Request option. Other options (an
// IA_NA with NoAddrsAvail in an Advertise, a Status Code) may be appended
// after it. It does not allocate when dst has capacity.
func (s *OptionSet) AppendReply(dst []byte, t MessageType, req Message, serverID DUID) []byte {
	dst = AppendReplyHeader(dst, t, req, serverID)
	return s.AppendRequested(dst, req.ORO())
}
