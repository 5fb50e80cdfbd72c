package lease

import (
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestRefusalRing(t *testing.T) {
	m := newMachine(&fakeRand{})
	m.Handle(t0, Start{})
	for i := range keepRefusals + 3 {
		m.Handle(t0.Add(time.Duration(i)*time.Millisecond), offer(1, leaseTime(0)))
	}
	got := m.Refusals()
	if len(got) != keepRefusals {
		t.Fatalf("%d refusals kept, want %d", len(got), keepRefusals)
	}
	for i, r := range got {
		if want := t0.Add(time.Duration(i+3) * time.Millisecond); !r.At.Equal(want) {
			t.Fatalf("refusal %d at %v, want %v (oldest first, the first three gone)", i, r.At.Sub(t0), want.Sub(t0))
		}
	}
	if n := m.Status().Counters.Refused[ReasonZeroLease]; n != keepRefusals+3 {
		t.Fatalf("counted %d, want every one: %d", n, keepRefusals+3)
	}
}

// TestNakDetailQuoted: the server's text (option 56) is kept quoted and
// cut short, so an escape sequence in it never reaches a terminal through
// status.
func TestNakDetailQuoted(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, acquire[:2])
	msg := reply(dhcpv4.MessageTypeNak, 1, dhcpv4.WithOption(dhcpv4.OptServerIdentifier(server)),
		dhcpv4.WithOption(dhcpv4.OptMessage("\x1b[2J\x1b]0;owned\x07"+strings.Repeat("x", 500))))
	m.Handle(t0.Add(time.Second), Received{msg})
	got := m.Refusals()
	if len(got) != 1 || got[0].Reason != ReasonNak {
		t.Fatalf("refusals %+v, want one NAK", got)
	}
	d := got[0].Detail
	if !strings.HasPrefix(d, `NAK from 198.18.0.1: "\x1b[2J`) || strings.ContainsAny(d, "\x1b\x07") || len(d) > 200 {
		t.Fatalf("detail %q: want the text quoted, without control characters, cut short", d)
	}
}
