package config

import (
	"strconv"
	"strings"
)

// keyLines maps every key of a TOML document to the line it is written on.
//
// github.com/BurntSushi/toml keeps key positions private and records one
// position per key name, so elements of arrays of tables would all share
// the last one. This scanner walks the (already syntax-checked) source once
// and records, for every key, table header and array element, its line
// under an indexed path: "interface.2.ra.prefix.0.valid_lifetime" for a key,
// "interface.2" for a [[interface]] header, "interface.2.dhcpv6.dns_servers.1"
// for the second element of an array value.
type keyLines map[string]int

// line returns the line of path, or of its nearest recorded ancestor, or 0.
func (k keyLines) line(path string) int {
	for {
		if l, ok := k[path]; ok {
			return l
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

type scanner struct {
	src    string
	i      int
	line   int
	lines  keyLines
	arrays map[string]int // array-of-tables path → number of elements so far
}

// scanKeyLines records the line of every key in src. src must be valid
// TOML; on malformed input it stops early without failing.
func scanKeyLines(src string) keyLines {
	s := &scanner{src: src, line: 1, lines: keyLines{}, arrays: map[string]int{}}
	table := ""
	for steps := 0; s.i < len(s.src) && steps < len(s.src)+1; steps++ {
		s.skipSpace(true)
		if s.i >= len(s.src) {
			break
		}
		start := s.i
		switch s.src[s.i] {
		case '[':
			table = s.header()
		default:
			s.keyValue(table)
		}
		if s.i == start { // no progress: malformed input
			break
		}
	}
	return s.lines
}

// skipSpace skips blanks and comments, and newlines when nl is set.
func (s *scanner) skipSpace(nl bool) {
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
		case c == '\n' && nl:
			s.line++
			s.i++
		case c == '#':
			for s.i < len(s.src) && s.src[s.i] != '\n' {
				s.i++
			}
		default:
			return
		}
	}
}

// header reads a [table] or [[array]] header and returns the table path.
func (s *scanner) header() string {
	line := s.line
	s.i++
	array := s.i < len(s.src) && s.src[s.i] == '['
	if array {
		s.i++
	}
	keys := s.key()
	for s.i < len(s.src) && s.src[s.i] != '\n' && s.src[s.i] != '#' {
		s.i++ // closing brackets and blanks
	}
	path := ""
	for n, k := range keys {
		path = join(path, k)
		last := n == len(keys)-1
		if c, ok := s.arrays[path]; ok && !(last && array) {
			path = join(path, strconv.Itoa(c-1))
		} else if last && array {
			s.arrays[path] = c + 1
			path = join(path, strconv.Itoa(c))
		}
		s.mark(path, line)
	}
	s.lines[path] = line
	return path
}

// keyValue reads `key = value` inside table.
func (s *scanner) keyValue(table string) {
	line := s.line
	keys := s.key()
	if len(keys) == 0 {
		s.i++
		return
	}
	path := table
	for _, k := range keys {
		path = join(path, k)
		s.mark(path, line)
	}
	s.lines[path] = line
	s.skipSpace(false)
	if s.i < len(s.src) && s.src[s.i] == '=' {
		s.i++
	}
	s.skipSpace(false)
	s.value(path)
}

// mark records line for path unless an earlier line is known.
func (s *scanner) mark(path string, line int) {
	if _, ok := s.lines[path]; !ok {
		s.lines[path] = line
	}
}

// key reads a dotted key made of bare and quoted parts.
func (s *scanner) key() []string {
	var keys []string
	for {
		s.skipSpace(false)
		if s.i >= len(s.src) {
			return keys
		}
		switch c := s.src[s.i]; {
		case c == '"' || c == '\'':
			keys = append(keys, s.quoted())
		case isBare(c):
			j := s.i
			for s.i < len(s.src) && isBare(s.src[s.i]) {
				s.i++
			}
			keys = append(keys, s.src[j:s.i])
		default:
			return keys
		}
		s.skipSpace(false)
		if s.i < len(s.src) && s.src[s.i] == '.' {
			s.i++
			continue
		}
		return keys
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// quoted reads a single-line basic or literal string and returns its
// content (escapes are kept as written, which is enough for key names).
func (s *scanner) quoted() string {
	q := s.src[s.i]
	s.i++
	var b strings.Builder
	for s.i < len(s.src) && s.src[s.i] != q && s.src[s.i] != '\n' {
		if q == '"' && s.src[s.i] == '\\' && s.i+1 < len(s.src) {
			b.WriteByte(s.src[s.i])
			s.i++
		}
		b.WriteByte(s.src[s.i])
		s.i++
	}
	if s.i < len(s.src) && s.src[s.i] == q {
		s.i++
	}
	return b.String()
}

// value skips one value, recording the keys of inline tables and the
// elements of arrays under path.
func (s *scanner) value(path string) {
	if s.i >= len(s.src) {
		return
	}
	switch s.src[s.i] {
	case '"', '\'':
		q := s.src[s.i : s.i+1]
		if strings.HasPrefix(s.src[s.i:], q+q+q) {
			s.multiline(q + q + q)
			return
		}
		s.quoted()
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.skipSpace(true)
			if s.i >= len(s.src) {
				return
			}
			if s.src[s.i] == ']' {
				s.i++
				return
			}
			el := join(path, strconv.Itoa(n))
			s.lines[el] = s.line
			start := s.i
			s.value(el)
			s.skipSpace(true)
			if s.i < len(s.src) && s.src[s.i] == ',' {
				s.i++
			} else if s.i == start {
				s.i++
			}
		}
	case '{':
		s.i++
		for {
			s.skipSpace(true)
			if s.i >= len(s.src) {
				return
			}
			switch s.src[s.i] {
			case '}':
				s.i++
				return
			case ',':
				s.i++
				continue
			}
			start := s.i
			s.keyValue(path)
			if s.i == start {
				s.i++
			}
		}
	default:
		for s.i < len(s.src) {
			switch s.src[s.i] {
			case ',', ']', '}', '\n', '#':
				return
			}
			s.i++
		}
	}
}

// multiline skips a multi-line string delimited by delim.
func (s *scanner) multiline(delim string) {
	s.i += 3
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == '\n':
			s.line++
		case c == '\\' && delim[0] == '"':
			s.i++
			if s.i < len(s.src) && s.src[s.i] == '\n' {
				s.line++
			}
		case strings.HasPrefix(s.src[s.i:], delim):
			s.i += 3
			for s.i < len(s.src) && s.src[s.i] == delim[0] { // up to two quotes end the content
				s.i++
			}
			return
		}
		s.i++
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
