package messages

import (
	"context"
	"testing"
)

// TestAbandoned: only a command that asks, whose caller stopped waiting,
// may be let go; a change is carried out whoever waits (SPEC §3).
func TestAbandoned(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	live := context.Background()
	tests := []struct {
		name string
		c    *Command
		want bool
	}{
		{"nil", nil, false},
		{"no ctx", &Command{Req: Status{}}, false},
		{"status, caller waits", &Command{Req: Status{}, Ctx: live}, false},
		{"status, caller gone", &Command{Req: Status{}, Ctx: done}, true},
		{"ping, caller gone", &Command{Req: Ping{}, Ctx: done}, true},
		{"show-addr, caller gone", &Command{Req: ShowAddr{}, Ctx: done}, true},
		{"start, caller gone", &Command{Req: Start{}, Ctx: done}, false},
		{"drop, caller gone", &Command{Req: Drop{}, Ctx: done}, false},
		{"create-if, caller gone", &Command{Req: CreateIf{}, Ctx: done}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Abandoned(); got != tt.want {
				t.Errorf("Abandoned = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAsksIsUnprivileged: what any user may give (SPEC §3) is exactly
// what only asks, so what an unprivileged user leaves behind can always
// be let go.
func TestAsksIsUnprivileged(t *testing.T) {
	for name, w := range wireCommands {
		m, err := w.parse(args{})
		if err != nil {
			continue
		}
		if Asks(m) == w.privileged {
			t.Errorf("%s: Asks = %v, privileged = %v", name, Asks(m), w.privileged)
		}
	}
}
