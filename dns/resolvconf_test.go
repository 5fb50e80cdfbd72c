package dns

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dhcpagent/dhcpagent/regfile/regfiletest"
)

// TestResolvconf runs a stand-in resolvconf that records its arguments and
// its input.
func TestResolvconf(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	script := filepath.Join(dir, "resolvconf")
	body := "#!/bin/sh\necho \"args: $*\" >>" + log + "\nif [ \"$1\" = -a ]; then cat >>" + log + "; fi\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &Resolvconf{Command: script}
	l := Link{Name: "eth0", Index: 2, Servers: addrs("198.18.0.53", "198.18.0.54"), Domains: []string{"a.example", "b.example"}}
	if err := r.Set(nil, l); err != nil {
		t.Fatal(err)
	}
	if err := r.Revert(nil, l); err != nil {
		t.Fatal(err)
	}
	want := "args: -a eth0.dhcp\nnameserver 198.18.0.53\nnameserver 198.18.0.54\nsearch a.example b.example\nargs: -d eth0.dhcp\n"
	if got := read(t, log); got != want {
		t.Fatalf("calls:\n%s\nwant:\n%s", got, want)
	}
	if err := (&Resolvconf{Command: filepath.Join(dir, "missing")}).Set(nil, l); err == nil {
		t.Fatal("a missing resolvconf succeeded")
	}
}

// TestResolvconfLeftChild: a resolvconf whose update script leaves a
// process behind holding its output (a daemon started without closing
// its descriptors, from /etc/resolvconf/update.d) is done when it exits:
// its output was read until every holder closed it, holding the DNS worker
// (every later DNS change of every interface) as long as that process ran.
func TestResolvconfLeftChild(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "resolvconf")
	// The child is told to end with the test (its pid in a file).
	body := "#!/bin/sh\ncat >/dev/null\nsleep 60 &\necho $! >" + filepath.Join(dir, "pid") + "\necho updated\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(dir, "pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	r := &Resolvconf{Command: script}
	l := Link{Name: "eth0", Index: 2, Servers: addrs("198.18.0.53")}
	var err error
	regfiletest.Prompt(t, "Set with a left child", func() { err = r.Set(nil, l) })
	if err != nil {
		t.Fatalf("Set = %v, want resolvconf's success", err)
	}
}
