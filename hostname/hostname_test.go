package hostname

import (
	"errors"
	"strings"
	"testing"
)

func TestKeeper(t *testing.T) {
	cur := "orig"
	var sets []string
	k := &Keeper{Get: func() (string, error) { return cur, nil },
		Set: func(n string) error { cur = n; sets = append(sets, n); return nil }}
	if err := k.Claim("eth0", "web1.example.com."); err != nil || cur != "web1.example.com" {
		t.Fatalf("claim: %v, name %q", err, cur)
	}
	if err := k.Claim("eth0", "web2"); err != nil || cur != "web2" {
		t.Fatalf("second claim: %v, name %q", err, cur)
	}
	if err := k.Release("eth1"); err != nil || cur != "web2" {
		t.Fatalf("another interface's release changed the name to %q (%v)", cur, err)
	}
	if err := k.Release("eth0"); err != nil || cur != "orig" {
		t.Fatalf("release: %v, name %q, want orig", err, cur)
	}
	if err := k.Release("eth0"); err != nil || len(sets) != 3 {
		t.Fatalf("a second release set the name again: %v", sets)
	}
	for _, bad := range []string{"", "a b", "x\ny", "-a", "a..b", strings.Repeat("a", 65), "a_b", "ünï"} {
		if err := k.Claim("eth0", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("claim %q: %v, want ErrInvalid", bad, err)
		}
	}
	if cur != "orig" {
		t.Fatalf("an invalid name changed the host name to %q", cur)
	}
}

func FuzzValid(f *testing.F) {
	f.Add("web1.example.com")
	f.Add("a\x00b")
	f.Fuzz(func(t *testing.T, s string) {
		if Valid(s) && (len(s) > maxLen || strings.ContainsAny(s, " \n\x00/_")) {
			t.Fatalf("Valid(%q)", s)
		}
	})
}
