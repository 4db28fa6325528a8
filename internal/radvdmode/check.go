package radvdmode

import (
	"fmt"
	"io"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/config/radvdconf"
)

// CheckRadvd is "radish check --radvd FILE": it parses the radvd.conf FILE
// and writes the configuration as radish TOML (config.Encode) to stdout,
// so that an operator can move from the radvd personality to radish serve.
// Warnings go to stderr as "FILE:LINE warning: MESSAGE" and errors as radvd
// prints them, "FILE:LINE error: MESSAGE". It returns the exit status: 0 when the
// file is valid, 1 when it is not.
//
// The radvd personality's overlay (radvd.toml) is not applied: the output
// is what the file itself says.
func CheckRadvd(path string, stdout, stderr io.Writer) int {
	res, err := radvdconf.ParseFile(path)
	if err != nil {
		if list, ok := err.(radvdconf.ErrorList); ok {
			for _, e := range list {
				fmt.Fprintln(stderr, e)
			}
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, w.String())
	}
	if err := config.Encode(stdout, res.Config); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
		return 1
	}
	return 0
}
