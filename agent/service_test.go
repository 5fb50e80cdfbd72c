package agent

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
)

func TestSummary(t *testing.T) {
	failed := messages.IfStatus{Failed: true, State: lease.Bound} // a failed actor's state means nothing
	for _, tc := range []struct {
		sts  []messages.IfStatus
		want string
	}{
		{nil, "0 interfaces: 0 bound, 0 acquiring, 0 failed"},
		{[]messages.IfStatus{{State: lease.Bound}, {State: lease.Renewing}, {State: lease.Selecting}, failed,
			{State: lease.InitReboot}, {State: lease.PreBound}},
			"6 interfaces: 2 bound, 3 acquiring, 1 failed"},
		{[]messages.IfStatus{{State: lease.Information}, {State: lease.Rebinding}}, "2 interfaces: 2 bound, 0 acquiring, 0 failed"},
	} {
		if got := summary(tc.sts); got != tc.want {
			t.Errorf("summary(%+v) = %q, want %q", tc.sts, got, tc.want)
		}
	}
}

// TestStatusAskerCommandContext: the status the service asks carries a
// context that ends once Statuses returns, so that a status held in the
// manager's start-up queue (a hung store read) is Abandoned and let go;
// without one, each STATUS= refresh and watchdog tick stayed held.
func TestStatusAskerCommandContext(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer bool
	}{
		{"not answered within the ask", false},
		{"answered", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			system := actor.NewActorSystem()
			defer system.Shutdown()
			got := make(chan *messages.Command, 1)
			manager := system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
				if cmd, ok := c.Message().(*messages.Command); ok {
					got <- cmd
				}
			}))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := statusAsker{system.Root, manager}.Statuses(ctx)
				done <- err
			}()
			var cmd *messages.Command
			select {
			case cmd = <-got:
			case <-time.After(5 * time.Second):
				t.Fatal("the manager was not asked")
			}
			if cmd.Ctx == nil || cmd.Ctx.Err() != nil {
				t.Fatalf("the status asked has context %v, want one live while it is waited for", cmd.Ctx)
			}
			if tt.answer {
				cmd.Answer(messages.OK())
			} else {
				cancel()
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Statuses did not return")
			}
			if cmd.Ctx.Err() == nil {
				t.Fatal("the status's context is live once Statuses returned: the manager cannot let it go")
			}
			if !tt.answer && !cmd.Abandoned() {
				t.Error("the unanswered status is not Abandoned")
			}
		})
	}
}
