package dns

import (
	"os"
	"path/filepath"
	"testing"
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
