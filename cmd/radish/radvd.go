package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/radish-net/radish/internal/radvdmode"
)

// The radvd personality: "radish radvd ARGS", or the binary installed as
// /usr/sbin/radvd. It writes to the process's own stderr (it may daemonize).
//
// It also adds "radish check --radvd FILE" (radvdmode.CheckRadvd: print a
// radvd.conf as radish TOML) in front of the check command; every other
// form of check goes to the check command unchanged.
func init() {
	commands["radvd"] = func(args []string, _, _ io.Writer) int {
		name := "radvd"
		if len(os.Args) > 0 && filepath.Base(os.Args[0]) == "radvd" {
			name = os.Args[0]
		}
		return radvdmode.Main(append([]string{name}, args...))
	}
	if check, ok := commands["check"]; ok {
		commands["check"] = func(args []string, stdout, stderr io.Writer) int {
			if file, ok := radvdCheckArgs(args); ok {
				return radvdmode.CheckRadvd(file, stdout, stderr)
			}
			return check(args, stdout, stderr)
		}
	}
}

// radvdCheckArgs recognises "--radvd FILE" and "--radvd=FILE" (one or two
// dashes) as the whole argument list.
func radvdCheckArgs(args []string) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	name, value, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
	if name != "radvd" || !strings.HasPrefix(args[0], "-") {
		return "", false
	}
	switch {
	case hasValue && len(args) == 1:
		return value, true
	case !hasValue && len(args) == 2:
		return args[1], true
	}
	return "", false
}
