// Command radish serves IPv6 Router Advertisements and stateless DHCPv6.
// See "radish help" and package internal/serve, which implements the
// subcommands; this file only dispatches to them.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/radish-net/radish/internal/serve"
)

// command runs one subcommand with the arguments after its name and
// returns the process's exit code.
type command func(args []string, stdout, stderr io.Writer) int

// commands maps subcommand names to their implementations. The radvd
// drop-in registers itself here as "radvd"; it is also run when the
// binary is invoked under the name radvd (a symlink at /usr/sbin/radvd).
var commands = map[string]command{
	"serve":   serve.ServeCommand,
	"check":   serve.CheckCommand,
	"version": serve.VersionCommand,
	"help":    serve.HelpCommand,
}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	if filepath.Base(argv[0]) == "radvd" {
		cmd, ok := commands["radvd"]
		if !ok {
			fmt.Fprintln(stderr, "radish: this build has no radvd mode")
			return serve.ExitUsage
		}
		return cmd(argv[1:], stdout, stderr)
	}
	if len(argv) < 2 {
		fmt.Fprint(stderr, serve.Usage)
		return serve.ExitUsage
	}
	switch argv[1] {
	case "-h", "-help", "--help":
		return serve.HelpCommand(nil, stdout, stderr)
	case "-v", "-version", "--version":
		return serve.VersionCommand(nil, stdout, stderr)
	}
	cmd, ok := commands[argv[1]]
	if !ok {
		fmt.Fprintf(stderr, "radish: unknown command %q\n\n%s", argv[1], serve.Usage)
		return serve.ExitUsage
	}
	return cmd(argv[2:], stdout, stderr)
}
