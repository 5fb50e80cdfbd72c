package actors

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestRefusalLogRateLimited: a storm of refusals of one reason logs one
// line per lease.RefusalLogEvery, the next line saying how many were left out;
// another reason is logged on its own.
func TestRefusalLogRateLimited(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	a := &iface{log: zap.New(core), m: lease.New(lease.Config{}, nil)}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		a.logRefusal(lease.Refusal{At: t0.Add(time.Duration(i) * time.Millisecond), Reason: lease.ReasonBadAddress, Detail: "junk"})
	}
	a.logRefusal(lease.Refusal{At: t0.Add(time.Second), Reason: lease.ReasonNak, Detail: "NAK"})
	a.logRefusal(lease.Refusal{At: t0.Add(lease.RefusalLogEvery), Reason: lease.ReasonBadAddress, Detail: "junk"})
	got := logs.All()
	if len(got) != 3 {
		t.Fatalf("%d lines, want 3: %v", len(got), got)
	}
	for i, want := range []struct {
		reason     string
		suppressed int64
	}{{"bad_address", 0}, {"nak", 0}, {"bad_address", 999}} {
		f := got[i].ContextMap()
		if f["reason"] != want.reason || f["suppressed"] != want.suppressed || f["detail"] == "" {
			t.Errorf("line %d: %v, want reason %s with %d suppressed", i, f, want.reason, want.suppressed)
		}
	}
}

// TestKernelRefusalsInStatus: each route the kernel refuses is in status
// with its error, and the lease is bound all the same.
func TestKernelRefusalsInStatus(t *testing.T) {
	w := newWorld(t, fast)
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Apply" {
			return errors.Join(errors.New("add route 10.0.0.0/8 via 198.18.50.1: invalid argument"),
				errors.New("add route 10.1.0.0/16 via 198.18.50.1: invalid argument"))
		}
		return nil
	})
	if r := w.bind("eth0", 120); r.Error != "" {
		t.Fatalf("start: %+v", r)
	}
	st := w.do(ipc.CmdStatus, "eth0").Status
	if st.State != "BOUND" || len(st.Refusals) != 2 {
		t.Fatalf("status %+v, want BOUND with two refusals", st)
	}
	for i, want := range []string{"add route 10.0.0.0/8", "add route 10.1.0.0/16"} {
		if r := st.Refusals[i]; r.Reason != "kernel_refused" || !strings.HasPrefix(r.Detail, want) {
			t.Errorf("refusal %d: %+v, want kernel_refused %q", i, r, want)
		}
	}
}

// TestMalformedReplyInStatus: a reply for the interface's transaction that
// does not decode is in status with why; the exchange goes on.
func TestMalformedReplyInStatus(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithGeneric(dhcpv4.OptionOptionOverload, []byte{4}))
	waitFor(t, "the malformed reply recorded", func() bool { return len(w.do(ipc.CmdStatus, "eth0").Status.Refusals) == 1 })
	r := w.do(ipc.CmdStatus, "eth0").Status.Refusals[0]
	if r.Reason != "malformed" || !strings.Contains(r.Detail, "overload") {
		t.Fatalf("refusal %+v, want malformed, naming the overload", r)
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	req := w.send.next(t)
	expectType(t, req, dhcpv4.MessageTypeRequest)
	w.serve(req.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ch); rep.Error != "" {
		t.Fatalf("start: %+v", rep)
	}
}
