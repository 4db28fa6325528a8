// Command radish serves IPv6 Router Advertisements and stateless DHCPv6.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "radish: not yet wired")
	os.Exit(2)
}
