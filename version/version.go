// Package version holds the version of the agent and agentctl. The Makefile
// sets it from `git describe` at link time:
//
//	go build -ldflags "-X github.com/dhcpagent/dhcpagent/version.Version=v1.2.3"
//
// A binary built without it (plain `go build`, `go install`) reports the
// module version Go recorded, or "0.0.0-dev".
package version

import "runtime/debug"

// Version is set by the linker; empty means "not set".
var Version string

// Default is what String reports when neither the linker nor the module
// build information says anything.
const Default = "0.0.0-dev"

// String returns the version: the linker's, else the module's, else Default.
func String() string {
	module := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		module = bi.Main.Version
	}
	return pick(Version, module)
}

// pick chooses between the linker's and the module's version.
func pick(linker, module string) string {
	switch {
	case linker != "":
		return linker
	case module != "" && module != "(devel)":
		return module
	default:
		return Default
	}
}
