package run

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// TestHold: nothing is held before Start or after End; while holding,
// listings are kept in order up to MaxQueue and End hands them back.
func TestHold(t *testing.T) {
	var h Hold
	a, _ := queued()
	if h.Keep(a) {
		t.Fatal("held before Start")
	}
	h.Start()
	if !h.Keep(a) {
		t.Fatal("not held while booting")
	}
	for i := 1; i < MaxQueue; i++ {
		c, _ := queued()
		if !h.Keep(c) {
			t.Fatalf("listing %d not held below the bound", i)
		}
	}
	if c, _ := queued(); h.Keep(c) {
		t.Fatal("held beyond MaxQueue")
	}
	held := h.End()
	if len(held) != MaxQueue || held[0] != a {
		t.Fatalf("End gave %d, first %p; want %d, first %p", len(held), held[0], MaxQueue, a)
	}
	if h.Keep(a) || h.End() != nil {
		t.Fatal("held after End")
	}
}

// TestHoldDrop: a restart answers every held listing and keeps none.
func TestHoldDrop(t *testing.T) {
	var h Hold
	h.Start()
	a, ach := queued()
	h.Keep(a)
	h.Drop(messages.Fail(ipc.ErrInternal, "restarted"))
	if r := <-ach; r.Code != ipc.ErrInternal {
		t.Fatalf("held listing: %+v, want INTERNAL", r)
	}
	if held := h.End(); len(held) != 0 {
		t.Fatalf("%d kept after Drop", len(held))
	}
}
