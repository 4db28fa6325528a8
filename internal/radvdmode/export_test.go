package radvdmode

import (
	"log/slog"

	"github.com/radish-net/radish/config"
)

// WriteSysctlsUnder writes c's sysctls under root instead of /proc/sys.
func WriteSysctlsUnder(root string, c *config.Config) {
	sysctlWriter{root: root, log: slog.New(slog.DiscardHandler)}.write(c)
}
