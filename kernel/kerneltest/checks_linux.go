package kerneltest

import "github.com/dhcpagent/dhcpagent/kernel"

// The real kernel and the fake have what the actors use, so that a test
// over the fake exercises the calls the agent makes on the real one.
var (
	_ kernel.Configurer = (*kernel.Netlink)(nil)
	_ kernel.LinkAdmin  = (*kernel.Netlink)(nil)
	_ kernel.Configurer = (*Kernel)(nil)
	_ kernel.LinkAdmin  = (*Kernel)(nil)
)
