//go:build integration

package integration

import (
	"syscall"
	"testing"
	"time"
)

// TestSIGQUITDrops: SIGQUIT stops the agent as SIGTERM does (illumos): the
// interface is dropped, its address removed, and the agent exits 0. The
// illumos -l flag is accepted.
func TestSIGQUITDrops(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind, AgentArgs: []string{"-l", "3"}})
		st := startBound(t, lab, "10")
		if err := lab.agent.signal(syscall.SIGQUIT); err != nil {
			t.Fatal(err)
		}
		select {
		case <-lab.agent.done:
		case <-time.After(stopGrace):
			t.Fatalf("agent did not exit within %v of SIGQUIT", stopGrace)
		}
		if err := lab.agent.err; err != nil {
			t.Fatalf("agent after SIGQUIT: %v, want exit 0\n%s", err, lab.AgentLog())
		}
		for _, a := range lab.ClientAddrs() {
			if a.Prefix.Addr() == st.addr() {
				t.Fatalf("%v still on the interface after SIGQUIT", a.Prefix)
			}
		}
	})
}
