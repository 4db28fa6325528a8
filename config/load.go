package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Load reads and parses the radish TOML file at path. See Parse.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses a radish TOML configuration; name is used in messages and
// stored as Config.Source. Parsing is strict: an unknown key, a value of
// the wrong type or out of range, and a contradiction between keys are
// errors. Every problem found is reported, each as an *Error naming the
// file, the line and the key, joined with errors.Join (in line order).
// Non-fatal findings are returned in Config.Warnings.
//
// The returned Config is fully resolved: every default is applied (see
// reference.toml), so that engines need no defaults logic of their own.
func Parse(name string, data []byte) (*Config, error) {
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: pe.Position.Line, Msg: oneLine(pe.Message)}
		}
		return nil, &Error{File: name, Msg: oneLine(err.Error())}
	}
	lines := scanKeyLines(string(data))
	p := &problems{}
	var raw rawConfig
	(&decoder{p: p}).table("", tree, reflect.ValueOf(&raw).Elem())
	c := build(name, &raw, p, lines)

	names := make([]string, len(raw.Interface))
	for i, r := range raw.Interface {
		if r.Name != nil {
			names[i] = *r.Name
		}
	}
	if len(p.errs) > 0 {
		return nil, p.join(name, lines, names)
	}
	for _, w := range p.list(p.warns, name, lines, names) {
		c.Warnings = append(c.Warnings, w.Error())
	}
	return c, nil
}

// Error is one problem in a configuration file. Its message reads
// `radish.toml:12: interface "vlan30" ra.max_interval: 2s is below the minimum 4s`.
type Error struct {
	File string
	Line int    // 1-based; 0 when unknown
	Key  string // the key in context, e.g. `interface "vlan30" ra.prefix[1].valid_lifetime`; may be empty
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxErrors bounds the number of errors reported for one file.
const maxErrors = 40

type problem struct {
	path, msg string
}

// problems collects errors and warnings under indexed key paths; lines
// and interface names are attached at the end.
type problems struct {
	errs, warns []problem
	bad         map[string]bool // paths with an error
}

func (p *problems) errorf(path, format string, args ...any) {
	p.errs = append(p.errs, problem{path, fmt.Sprintf(format, args...)})
	if p.bad == nil {
		p.bad = map[string]bool{}
	}
	p.bad[path] = true
}

func (p *problems) warnf(path, format string, args ...any) {
	p.warns = append(p.warns, problem{path, fmt.Sprintf(format, args...)})
}

func (p *problems) list(ps []problem, file string, lines keyLines, names []string) []*Error {
	out := make([]*Error, len(ps))
	for i, pr := range ps {
		out[i] = &Error{File: file, Line: lines.line(pr.path), Key: oneLine(displayKey(pr.path, names)), Msg: oneLine(pr.msg)}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

func (p *problems) join(file string, lines keyLines, names []string) error {
	list := p.list(p.errs, file, lines, names)
	errs := make([]error, 0, min(len(list), maxErrors)+1)
	for i, e := range list {
		if i == maxErrors {
			errs = append(errs, &Error{File: file, Msg: fmt.Sprintf("%d more errors not shown", len(list)-maxErrors)})
			break
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// oneLine keeps a message on one line (keys may contain newlines).
func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", `\r`), "\n", `\n`)
}

// displayKey renders an indexed path for people: "interface.2.ra.prefix.0.valid_lifetime"
// becomes `interface "vlan30" ra.prefix[0].valid_lifetime`.
func displayKey(path string, names []string) string {
	parts := strings.Split(path, ".")
	var b strings.Builder
	if len(parts) >= 2 && parts[0] == "interface" {
		if i, err := strconv.Atoi(parts[1]); err == nil {
			if i < len(names) && names[i] != "" {
				fmt.Fprintf(&b, "interface %q", names[i])
			} else {
				fmt.Fprintf(&b, "interface #%d", i+1)
			}
			parts = parts[2:]
			if len(parts) > 0 {
				b.WriteByte(' ')
			}
		}
	}
	for i, s := range parts {
		if _, err := strconv.Atoi(s); err == nil && i > 0 {
			b.WriteString("[" + s + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}
