package radvdconf

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/radish-net/radish/config"
)

// Result is what a successful Parse returns.
type Result struct {
	// Config is the validated, defaulted model; Interfaces are in file order.
	Config *config.Config
	// Warnings lists non-fatal remarks in file order; their String forms
	// are also in Config.Warnings.
	Warnings []Warning
}

// maxErrors bounds how many errors one Parse collects.
const maxErrors = 50

// ParseFile reads and parses the radvd.conf file at path.
func ParseFile(path string) (*Result, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Parse parses src, the contents of the radvd.conf file called file (used
// in messages and as Config.Source). On failure the error is an ErrorList.
func Parse(file string, src []byte) (*Result, error) {
	p := &parser{file: file, toks: lex(src)}
	p.cfg = &config.Config{Source: file}
	// radvd.conf has no server-wide settings: take radish's defaults for
	// them (logging, DHCPv6 server identity and limits) from the TOML
	// loader, which owns them.
	if base, err := config.Parse(file, nil); err == nil {
		p.cfg.DHCPv6, p.cfg.Log = base.DHCPv6, base.Log
	}
	p.grammar()
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	for _, w := range p.warns {
		p.cfg.Warnings = append(p.cfg.Warnings, w.String())
	}
	return &Result{Config: p.cfg, Warnings: p.warns}, nil
}

type parser struct {
	file  string
	toks  []token
	pos   int
	errs  ErrorList
	warns []Warning
	cfg   *config.Config
	names map[string]int // interface name → line of first definition
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) errorf(line int, format string, args ...any) {
	e := &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
	if n := len(p.errs); n > 0 && *p.errs[n-1] == *e {
		return // the same bad token seen again while recovering
	}
	if len(p.errs) < maxErrors {
		p.errs = append(p.errs, e)
	}
}

func (p *parser) warnf(line int, format string, args ...any) {
	p.warns = append(p.warns, Warning{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// unexpected reports a syntax error at t. A bad token reports its own
// problem instead.
func (p *parser) unexpected(t token, want string) bool {
	if t.kind == tBad {
		p.errorf(t.line, "syntax error: %s", t.text)
	} else {
		p.errorf(t.line, "syntax error: unexpected %s, expecting %s", t.describe(), want)
	}
	return false
}

// expect consumes a token of kind k or reports a syntax error.
func (p *parser) expect(k tokKind) bool {
	t := p.peek()
	if t.kind != k {
		return p.unexpected(t, kindNames[k])
	}
	p.next()
	return true
}

// isKeyword reports whether t is the keyword kw (lower-case).
func isKeyword(t token, kw string) bool { return t.kind == tKeyword && t.text == kw }

// skipStatement recovers from a syntax error inside a block: it skips to
// just after the next ';' at the current nesting level, or stops before the
// '}' that closes the current block.
func (p *parser) skipStatement() {
	depth := 0
	for {
		t := p.peek()
		switch t.kind {
		case tEOF:
			return
		case tLBrace:
			depth++
		case tRBrace:
			if depth == 0 {
				return
			}
			depth--
		case tSemi:
			if depth == 0 {
				p.next()
				return
			}
		}
		p.next()
	}
}

// body parses the braces of a block, `{ STATEMENT... };`, after its head.
// For each statement it consumes the first token and hands it to stmt,
// which reads the rest of the statement, its ';' included. stmt returns
// known=false if the token cannot start a statement (body then reports
// "expecting WHAT") and ok=false after any error; either way body skips
// to the end of the statement and goes on. If nonEmpty, a body without a
// single good statement is an error ("expecting WHAT"). body returns false
// if a brace or the final ';' is missing.
func (p *parser) body(what string, nonEmpty bool, stmt func(t token) (ok, known bool)) bool {
	if !p.expect(tLBrace) {
		return false
	}
	n := 0
	for p.peek().kind != tRBrace && p.peek().kind != tEOF {
		t := p.next()
		ok, known := stmt(t)
		if !known {
			p.unexpected(t, what)
		}
		if !ok || !known {
			p.skipStatement()
			continue
		}
		n++
	}
	if nonEmpty && n == 0 {
		p.unexpected(p.peek(), what)
	}
	return p.expect(tRBrace) && p.expect(tSemi)
}

// grammar: interface blocks until end of file.
func (p *parser) grammar() {
	p.names = map[string]int{}
	if p.peek().kind == tEOF {
		// radvd rejects a file without interfaces; radish serves nothing.
		p.warnf(p.peek().line, "no interface definitions: nothing to advertise")
		return
	}
	for p.peek().kind != tEOF {
		t := p.peek()
		if !isKeyword(t, "interface") {
			p.unexpected(t, "'interface'")
			// Resynchronise on the next "interface" keyword.
			p.next()
			for p.peek().kind != tEOF && !isKeyword(p.peek(), "interface") {
				p.next()
			}
			continue
		}
		p.interfaceBlock()
	}
}

// name reads an interface name: a string token (radvd's "name" rule).
// Quotes are removed with a warning.
func (p *parser) name(what string) (string, int, bool) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.next()
		return t.text, t.line, true
	case tQuoted:
		p.next()
		s := unquote(t.text)
		p.warnf(t.line, "%s %s: quotes removed (radvd would look for a name containing quotes)", what, t.text)
		return s, t.line, true
	}
	return "", t.line, p.unexpected(t, what+" name")
}

// unquote strips the surrounding double quotes of a tQuoted text.
func unquote(s string) string {
	s = strings.TrimPrefix(s, `"`)
	return strings.TrimSuffix(s, `"`)
}

// value readers: each consumes "VALUE ;" after the keyword.

func (p *parser) switchValue() (bool, bool) {
	t := p.next()
	if t.kind != tKeyword || (t.text != "on" && t.text != "off") {
		return false, p.unexpected(t, "on or off")
	}
	return t.text == "on", p.expect(tSemi)
}

func (p *parser) numberValue() (uint32, bool) {
	t := p.next()
	if t.kind != tNumber {
		return 0, p.unexpected(t, "number")
	}
	return t.num, p.expect(tSemi)
}

// lifetimeValue reads a number or "infinity" (0xffffffff).
func (p *parser) lifetimeValue() (uint32, bool) {
	t := p.next()
	switch {
	case t.kind == tNumber:
		return t.num, p.expect(tSemi)
	case isKeyword(t, "infinity"):
		return config.Infinity, p.expect(tSemi)
	}
	return 0, p.unexpected(t, "number or infinity")
}

// intervalValue reads a number or a decimal of seconds.
func (p *parser) intervalValue() (time.Duration, bool) {
	t := p.next()
	if t.kind != tNumber && t.kind != tDecimal {
		return 0, p.unexpected(t, "number of seconds")
	}
	return parseSeconds(t.text), p.expect(tSemi)
}

// preferenceValue reads low, medium or high. radvd's grammar also takes a
// negative number here; radish accepts -1 (low) and -0 (medium) and rejects
// other numbers, which radvd would put on the wire as the reserved value.
func (p *parser) preferenceValue() (config.Preference, bool) {
	t := p.next()
	switch {
	case isKeyword(t, "low"):
		return config.PreferenceLow, p.expect(tSemi)
	case isKeyword(t, "medium"):
		return config.PreferenceMedium, p.expect(tSemi)
	case isKeyword(t, "high"):
		return config.PreferenceHigh, p.expect(tSemi)
	case t.kind == tSigned && strings.TrimLeft(t.text[1:], "0") == "":
		return config.PreferenceMedium, p.expect(tSemi)
	case t.kind == tSigned && strings.TrimLeft(t.text[1:], "0") == "1":
		return config.PreferenceLow, p.expect(tSemi)
	case t.kind == tSigned:
		p.errorf(t.line, "preference %s is not low, medium or high", t.text)
		return 0, false
	}
	return 0, p.unexpected(t, "low, medium or high")
}

// parseSeconds converts "D" or "D.D" (already validated by the lexer) into
// a duration, saturating far above every range radvd allows.
func parseSeconds(s string) time.Duration {
	const limit = 1 << 33 // seconds: beyond 0xffffffff, and ×1e9 fits int64
	var sec, frac, scale int64 = 0, 0, int64(time.Second)
	i := 0
	for ; i < len(s) && s[i] != '.'; i++ {
		if sec < limit {
			sec = sec*10 + int64(s[i]-'0')
		}
	}
	if sec >= limit {
		sec = limit
	}
	for i++; i < len(s); i++ {
		if scale >= 10 {
			scale /= 10
			frac += int64(s[i]-'0') * scale
		}
	}
	return time.Duration(sec)*time.Second + time.Duration(frac)
}

// unicastProblem returns why a is not usable as a unicast server or client
// address, or "" (the rule of radish's TOML format).
func unicastProblem(a netip.Addr) string {
	switch {
	case a.Is4In6():
		return "is an IPv4-mapped address"
	case a.IsUnspecified(), a.IsMulticast(), a.IsLoopback():
		return "is not a unicast address"
	}
	return ""
}
