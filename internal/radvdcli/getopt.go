package radvdcli

import "strings"

// longOpt is one entry of a getopt_long option table.
type longOpt struct {
	name   string
	hasArg bool
	short  byte
}

// longOpts is radvd's long option table, in radvd's order: glibc lists
// the candidates of an ambiguous prefix in table order.
var longOpts = [...]longOpt{
	{"chrootdir", true, 't'},
	{"config", true, 'C'},
	{"configtest", false, 'c'},
	{"debug", true, 'd'},
	{"facility", true, 'f'},
	{"help", false, 'h'},
	{"logfile", true, 'l'},
	{"logmethod", true, 'm'},
	{"nodaemon", false, 'n'},
	{"pidfile", true, 'p'},
	{"username", true, 'u'},
	{"version", false, 'v'},
}

// shortOpts is radvd's getopt string plus the two letters radvd 2.19
// rejects but callers still pass: -s (radvd 1.x) and -f (documented in
// radvd.8 but missing from radvd's own string).
const shortOpts = "d:C:l:m:p:t:u:vhcnsf:"

// getopt walks args (args[0] is the program name) the way glibc's
// getopt_long does with a permuting option string: options and
// non-options may be interleaved, "--" ends the options, and with
// posixlyCorrect the first non-option ends them. Each option is handed to
// emit in order; emit or a syntax error stops the walk with an
// *ExitError whose message is glibc's, prefixed with args[0].
func getopt(args []string, posixlyCorrect bool, emit func(c byte, arg string) *ExitError) ([]string, *ExitError) {
	prog := "radvd"
	if len(args) > 0 {
		prog = args[0]
	}
	var rest []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			if posixlyCorrect {
				return append(rest, args[i:]...), nil
			}
			rest = append(rest, a)
			continue
		}
		if a[1] == '-' {
			o, arg, err := matchLong(prog, a)
			if err != nil {
				return nil, err
			}
			if o.hasArg && arg == nil {
				if i+1 >= len(args) {
					return nil, usageErr(prog + ": option '--" + o.name + "' requires an argument\n")
				}
				i++
				arg = &args[i]
			}
			var s string
			if arg != nil {
				s = *arg
			}
			if err := emit(o.short, s); err != nil {
				return nil, err
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			k := strings.IndexByte(shortOpts, c)
			if k < 0 || c == ':' {
				return nil, usageErr(prog + ": invalid option -- '" + string(c) + "'\n")
			}
			if k+1 < len(shortOpts) && shortOpts[k+1] == ':' {
				var v string
				switch {
				case j+1 < len(a):
					v = a[j+1:]
				case i+1 < len(args):
					i++
					v = args[i]
				default:
					return nil, usageErr(prog + ": option requires an argument -- '" + string(c) + "'\n")
				}
				if err := emit(c, v); err != nil {
					return nil, err
				}
				break
			}
			if err := emit(c, ""); err != nil {
				return nil, err
			}
		}
	}
	return rest, nil
}

// matchLong resolves a "--name[=value]" argument against longOpts: an
// exact name wins, otherwise a prefix must select exactly one option.
// The returned arg is nil when no "=value" was attached.
func matchLong(prog, a string) (longOpt, *string, *ExitError) {
	body := a[2:]
	name, val, hasVal := strings.Cut(body, "=")
	var found []int
	for i, o := range longOpts {
		if o.name == name {
			found = []int{i}
			break
		}
		if strings.HasPrefix(o.name, name) {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 0:
		return longOpt{}, nil, usageErr(prog + ": unrecognized option '" + a + "'\n")
	case 1:
	default:
		var b strings.Builder
		b.WriteString(prog + ": option '" + a + "' is ambiguous; possibilities:")
		for _, i := range found {
			b.WriteString(" '--" + longOpts[i].name + "'")
		}
		b.WriteByte('\n')
		return longOpt{}, nil, usageErr(b.String())
	}
	o := longOpts[found[0]]
	if !hasVal {
		return o, nil, nil
	}
	if !o.hasArg {
		return longOpt{}, nil, usageErr(prog + ": option '--" + o.name + "' doesn't allow an argument\n")
	}
	return o, &val, nil
}

func usageErr(msg string) *ExitError { return &ExitError{Code: 1, Message: msg} }
