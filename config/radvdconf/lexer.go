package radvdconf

import (
	"net/netip"
	"strconv"
	"strings"
)

// tokKind classifies a token the way radvd's scanner.l does: at each
// position the longest run of "string" characters is read, and a run that
// is exactly a keyword, a number, a decimal, a signed number or an IPv6
// address becomes that token instead of a plain string.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tLBrace          // {
	tRBrace          // }
	tSemi            // ;
	tSlash           // /
	tKeyword         // a keyword; text is lower-cased
	tNumber          // unsigned decimal that fits 32 bits
	tSigned          // -digits
	tDecimal         // digits.digits
	tAddr            // IPv6 address (no zone, no dotted quad)
	tNotAddr         // !IPv6 address
	tString          // any other run of string characters
	tQuoted          // "..." with the quotes kept, as radvd keeps them
	tBad             // a character or number radvd's scanner rejects
)

var kindNames = [...]string{
	tEOF: "end of file", tLBrace: "'{'", tRBrace: "'}'", tSemi: "';'", tSlash: "'/'",
	tKeyword: "keyword", tNumber: "number", tSigned: "signed number", tDecimal: "decimal",
	tAddr: "IPv6 address", tNotAddr: "negated IPv6 address", tString: "string",
	tQuoted: "quoted string", tBad: "invalid token",
}

type token struct {
	kind tokKind
	text string // source text; lower-cased for keywords
	raw  string // source text as written, for messages
	line int
	num  uint32     // tNumber
	addr netip.Addr // tAddr, tNotAddr
}

// describe renders a token for "unexpected ..." messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF, tLBrace, tRBrace, tSemi, tSlash:
		return kindNames[t.kind]
	case tKeyword:
		return "'" + t.raw + "'"
	}
	s := t.raw
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return kindNames[t.kind] + " '" + s + "'"
}

// keywords lists every keyword of radvd 2.21's scanner.l plus the value
// words on/off/low/medium/high/infinity, all lower-case. A word equal to one
// of these (in any letter case) can never be an interface name or a DNSSL
// suffix, exactly as in radvd.
var keywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`interface prefix route rdnss dnssl clients lowpanco abro
		nat64prefix autoignoreprefixes advrasrcaddress
		ignoreifmissing advsendadvert maxrtradvinterval minrtradvinterval advmanagedflag
		advotherconfigflag advlinkmtu advramtu advreachabletime advretranstimer advcurhoplimit
		advdefaultlifetime advdefaultpreference advsourcelladdress removeadvonexit
		advonlink advautonomous advvalidlifetime advpreferredlifetime deprecateprefix
		decrementlifetimes advdhcpv6pdpreferred advrouteraddr advhomeagentflag advintervalopt
		advhomeagentinfo unicastonly unrestrictedunicast advrasolicitedunicast
		advcaptiveportalapi advsnacrouterflag base6interface base6to4interface
		homeagentpreference homeagentlifetime advroutepreference advroutelifetime removeroute
		advrdnsspreference advrdnssopen advrdnsslifetime flushrdnss advdnssllifetime flushdnssl
		mindelaybetweenras advmobrtrsupportflag advcontextlength advcontextcompressionflag
		advcontextid advlifetime advcontextprefix advversionlow advversionhigh adv6lbraddress
		on off low medium high infinity`) {
		keywords[k] = true
	}
}

// isStringChar reports whether c belongs to radvd's "string" character
// class: letters, digits and `~!@#$%^&*()_-+=:[]<>,.?\ .
func isStringChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("`~!@#$%^&*()_-+=:[]<>,.?\\", c) >= 0
}

// lex splits src into tokens. Lexical problems become tBad tokens so that
// the parser reports them in context.
func lex(src []byte) []token {
	var toks []token
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			// radvd rejects \r; radish treats it as white space so that
			// files saved with CRLF line ends load (documented deviation).
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '{' || c == '}' || c == ';' || c == '/':
			toks = append(toks, token{kind: [...]tokKind{'{': tLBrace, '}': tRBrace, ';': tSemi, '/': tSlash}[c], text: string(c), line: line})
			i++
		case c == '"':
			// A quoted string may span lines and contain \-escapes; like
			// radvd, the quotes stay part of the text.
			start, startLine := i, line
			i++
			for i < len(src) && src[i] != '"' {
				if src[i] == '\\' && i+1 < len(src) {
					i++
				}
				if src[i] == '\n' {
					line++
				}
				i++
			}
			if i >= len(src) {
				toks = append(toks, token{kind: tBad, text: "unterminated quoted string", line: startLine})
				continue
			}
			i++
			q := string(src[start:i])
			toks = append(toks, token{kind: tQuoted, text: q, raw: q, line: startLine})
		case isStringChar(c):
			start := i
			for i < len(src) && isStringChar(src[i]) {
				i++
			}
			toks = append(toks, classify(string(src[start:i]), line))
		default:
			what := strconv.QuoteRune(rune(c))
			if c >= 0x80 {
				what = "byte 0x" + strconv.FormatUint(uint64(c), 16)
			}
			toks = append(toks, token{kind: tBad, text: "unexpected character " + what, line: line})
			i++
		}
	}
	return append(toks, token{kind: tEOF, line: line})
}

func classify(w string, line int) token {
	t := token{kind: tString, text: w, raw: w, line: line}
	lw := strings.ToLower(w)
	switch {
	case keywords[lw]:
		t.kind, t.text = tKeyword, lw
	case allDigits(w):
		n, err := strconv.ParseUint(w, 10, 32)
		if err != nil {
			t.kind, t.text = tBad, "number "+w+" does not fit in 32 bits"
			break
		}
		t.kind, t.num = tNumber, uint32(n)
	case w[0] == '-' && allDigits(w[1:]):
		t.kind = tSigned
	case isDecimal(w):
		t.kind = tDecimal
	case looksLikeAddr(w):
		a, err := netip.ParseAddr(w)
		if err != nil {
			t.kind, t.text = tBad, "invalid IPv6 address "+w
			break
		}
		t.kind, t.addr = tAddr, a
	case w[0] == '!' && looksLikeAddr(w[1:]):
		a, err := netip.ParseAddr(w[1:])
		if err != nil {
			t.kind, t.text = tBad, "invalid IPv6 address "+w[1:]
			break
		}
		t.kind, t.addr = tNotAddr, a
	}
	return t
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isDecimal(s string) bool {
	i := strings.IndexByte(s, '.')
	return i > 0 && allDigits(s[:i]) && allDigits(s[i+1:])
}

// looksLikeAddr reports whether s should be read as an IPv6 address
// token: hex digits and colons only, with "::" or seven colons (radvd's
// scanner also wants a hex digit first unless s is "::"; radish accepts
// ::1 and the like). Such a word that does not parse is a bad token.
func looksLikeAddr(s string) bool {
	if len(s) < 2 {
		return false
	}
	colons := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colons++
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return strings.Contains(s, "::") || colons == 7
}
