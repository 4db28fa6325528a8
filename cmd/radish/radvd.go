package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/radish-net/radish/internal/radvdmode"
)

// The radvd personality: "radish radvd ARGS", or the binary installed as
// /usr/sbin/radvd. It writes to the process's own stderr (it may daemonize).
func init() {
	commands["radvd"] = func(args []string, _, _ io.Writer) int {
		name := "radvd"
		if len(os.Args) > 0 && filepath.Base(os.Args[0]) == "radvd" {
			name = os.Args[0]
		}
		return radvdmode.Main(append([]string{name}, args...))
	}
}
