package actors

import (
	"context"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Exactly one answer per command across restarts, link loss and the
// agent's stop (SPEC §3), by attack (h9).

// goroutines counts the running goroutines but protoactor's dead letter
// throttle, which outlives its system by its one-second window.
func goroutines() int {
	buf := make([]byte, 1<<22)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if !strings.Contains(g, "NewDeadLetter") {
			n++
		}
	}
	return n
}

// settled kills the world and checks that the goroutines started since
// base (goroutines) have ended, polled with a deadline.
func (w *world) settled(base int) {
	w.t.Helper()
	w.kill()
	w.drainRecords()
	deadline := time.Now().Add(5 * time.Second)
	for goroutines() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<22)
			w.t.Fatalf("%d goroutines, %d before the world:\n%s", goroutines(), base, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
	}
}

// pump serves every DHCP message the actors send (an OFFER for a
// DISCOVER, an ACK for the rest) and ends every hook, until stop.
func (w *world) pump() (stop func()) {
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		for {
			select {
			case s := <-w.send.out:
				switch s.msg.MessageType() {
				case dhcpv4.MessageTypeDiscover:
					w.serve(s.msg, dhcpv4.MessageTypeOffer, 120)
				case dhcpv4.MessageTypeRequest, dhcpv4.MessageTypeInform:
					w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
				}
			case h := <-w.hooks.runs:
				h.done(nil)
			case <-quit:
				return
			}
		}
	}()
	return sync.OnceFunc(func() { close(quit); <-ended })
}

// mustRequest is the typed request of command c (name, ifname, args).
func mustRequest(t *testing.T, c []string) messages.Request {
	t.Helper()
	req := &ipc.Request{Version: ipc.Version, Command: c[0], Ifname: c[1], Args: map[string]string{}}
	for i := 2; i+1 < len(c); i += 2 {
		req.Args[c[i]] = c[i+1]
	}
	cmd, fail := messages.FromWire(req, true)
	if fail != nil {
		t.Fatalf("%v: %+v", c, fail)
	}
	return cmd.Req
}

// TestOneAnswerEach: from each starting point (idle, acquiring, bound,
// a hook, the lease record's read or write, the kernel's apply held),
// every command at once, before or after a disturbance (the actor's
// restart, its failing past maxRestarts, its link gone and back, the
// manager's failure, the agent's stop); the holds are let go and the
// agent stops. Every command has exactly one answer, none when its
// caller went away (withdrawn) but never two, the agent's stop one, and
// every goroutine the world started has ended.
func TestOneAnswerEach(t *testing.T) {
	setups := map[string]func(w *world) (release func()){
		"idle": func(w *world) func() { return func() {} },
		"bound": func(w *world) func() {
			start := w.counted(ipc.CmdStart, "eth0")
			w.serveBind(120)
			w.hooks.next(t).done(nil)
			w.one(start)
			return func() {}
		},
		"binding": func(w *world) func() {
			w.counted(ipc.CmdStart, "eth0")
			expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
			return func() {}
		},
		"hook held": func(w *world) func() {
			start := w.counted(ipc.CmdStart, "eth0")
			w.serveBind(120)
			h := w.hooks.next(t) // BOUND, the start's answer behind it
			return func() { h.done(nil); w.one(start) }
		},
		"record read held": func(w *world) func() {
			_, release := w.loading()
			return release
		},
		"record write held": func(w *world) func() {
			asked, release := w.disk.hold("eth0")
			w.t.Cleanup(release)
			w.counted(ipc.CmdStart, "eth0")
			<-asked
			return release
		},
		"apply held": func(w *world) func() {
			_, release := w.startApplying("eth0", 2, 120)
			return release
		},
	}
	disturbances := map[string]func(w *world){
		"none":  func(w *world) {},
		"panic": func(w *world) { w.counted(ipc.CmdPanic, "eth0") },
		"failed": func(w *world) {
			for range maxRestarts + 1 {
				w.counted(ipc.CmdPanic, "eth0")
			}
		},
		"link gone": func(w *world) {
			w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
		},
		"link gone and back": func(w *world) {
			w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
			w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
		},
		"manager fails": func(w *world) {
			w.system.Root.Send(w.mgr, &looked{names: []string{"eth0"}}) // malformed: a bug
		},
		"shutdown": func(w *world) {
			w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: make(chan *messages.Result, 1)})
		},
		"shutdown release": func(w *world) {
			w.system.Root.Send(w.mgr, &messages.Shutdown{Release: true, Reply: make(chan *messages.Result, 1)})
		},
	}
	for sname, setup := range setups {
		for dname, disturb := range disturbances {
			for _, after := range []bool{false, true} {
				for _, gone := range []bool{false, true} {
					name := sname + "/" + dname
					if after {
						name += "/commands after"
					}
					if gone {
						name += "/callers gone"
					}
					t.Run(name, func(t *testing.T) {
						base := goroutines()
						w := newWorld(t, fast+"# hooks\n")
						release := setup(w)
						ctx, cancel := context.WithCancel(context.Background())
						defer cancel()
						var cmds []counted
						commands := func() {
							for _, c := range [][]string{
								{ipc.CmdStart, "eth0"}, {ipc.CmdExtend, "eth0"}, {ipc.CmdInform, "eth0", ipc.ArgAddress, "198.18.0.7/24"},
								{ipc.CmdInfo, "eth0", ipc.ArgOption, "router"}, {ipc.CmdStatus, ""}, {ipc.CmdPing, "eth0"},
								{ipc.CmdStatus, "eth0"}, {ipc.CmdRelease, "eth0"}, {ipc.CmdDrop, "eth0"},
								{ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/d", ipc.ArgType, "dhcp"},
								{ipc.CmdDeleteAddr, "", ipc.ArgObject, "eth0/d"},
								{ipc.CmdDisableIf, "eth0"}, {ipc.CmdStart, "eth0"}, {ipc.CmdPing, "eth0"},
							} {
								cmds = append(cmds, w.countedBy(ctx, c[0], c[1], c[2:]...))
							}
						}
						if !after {
							commands()
						}
						disturb(w)
						if after {
							commands()
						}
						if gone {
							cancel()
						}
						release()
						stop := w.pump()
						w.shutdown(w.admin, false)
						done := make(chan *messages.Result, 2)
						w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: done})
						select {
						case <-done:
						case <-time.After(5 * time.Second):
							t.Fatal("no shutdown answer within 5 s")
						}
						if !gone {
							for _, c := range cmds {
								w.one(c)
							}
						}
						stop()
						select {
						case r := <-done:
							t.Fatalf("shutdown answered twice: %+v", r)
						default:
						}
						w.settled(base)
						if gone {
							for _, c := range cmds {
								if n := len(c.ch); n > 1 {
									t.Errorf("%s: answered %d times", c.name, n)
								}
							}
						}
					})
				}
			}
		}
	}
}

// TestNothingConfiguredAfterShutdown: once the admin actor and the
// manager have stopped (SIGTERM), every command that changes something is
// answered SHUTDOWN and changes nothing: no packet, no kernel change, no
// ipadm.json change (SPEC §3).
func TestNothingConfiguredAfterShutdown(t *testing.T) {
	for _, setup := range []string{"idle", "bound", "static"} {
		t.Run(setup, func(t *testing.T) {
			w := newWorld(t, fast)
			switch setup {
			case "bound":
				w.bind("eth0", 120)
			case "static":
				w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/s", ipc.ArgType, "static", ipc.ArgAddress, "192.0.2.5/24")
			}
			w.shutdown(w.admin, false)
			w.shutdown(w.mgr, false)
			w.drainRecords()
			applied0, removed0 := w.net.Snapshot()
			ipadm0, _ := w.store.LoadIPAdm()
			var mu sync.Mutex
			var calls []string
			w.net.SetFail(func(c kerneltest.Call) error {
				mu.Lock()
				defer mu.Unlock()
				switch c.Op {
				case "State", "Addrs", "MTU", "AddrFlags", "IPv6": // reads
				default:
					calls = append(calls, c.Op)
				}
				return nil
			})
			for _, c := range [][]string{
				{ipc.CmdStart, "eth0"}, {ipc.CmdStart, "eth1"}, {ipc.CmdExtend, "eth0"}, {ipc.CmdInform, "eth1", ipc.ArgAddress, "198.18.0.7/24"},
				{ipc.CmdInfo, "eth0", ipc.ArgOption, "router"}, {ipc.CmdStatus, ""}, {ipc.CmdPing, "eth0"},
				{ipc.CmdStatus, "eth0"}, {ipc.CmdRelease, "eth0"}, {ipc.CmdDrop, "eth0"}, {ipc.CmdPanic, "eth0"},
				{ipc.CmdCreateIf, "eth1"}, {ipc.CmdEnableIf, "eth1"}, {ipc.CmdDeleteIf, "eth1"}, {ipc.CmdDisableIf, "eth1"},
				{ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/d", ipc.ArgType, "dhcp"},
				{ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/t", ipc.ArgType, "static", ipc.ArgAddress, "192.0.2.9/24"},
				{ipc.CmdDeleteAddr, "", ipc.ArgObject, "eth1/s"},
				{ipc.CmdRefreshAddr, "", ipc.ArgObject, "eth1/s", ipc.ArgInform, "yes"},
				{ipc.CmdShowIf, ""}, {ipc.CmdShowAddr, ""},
			} {
				r := w.one(w.counted(c[0], c[1], c[2:]...))
				if !messages.Asks(mustRequest(t, c)) && r.Code != ipc.ErrShutdown {
					t.Errorf("%s %s after the stop = %s %s, want SHUTDOWN", c[0], c[1], r.Code, r.Message)
				}
			}
			w.drainRecords()
			w.send.none(t)
			applied, removed := w.net.Snapshot()
			if len(applied) != len(applied0) || len(removed) != len(removed0) {
				t.Errorf("kernel changed after shutdown: %v %v -> %v %v", applied0, removed0, applied, removed)
			}
			ipadm1, _ := w.store.LoadIPAdm()
			if !cmp.Equal(ipadm0, ipadm1, cmpopts.EquateComparable(netip.Prefix{}, netip.Addr{})) {
				t.Errorf("ipadm changed: %s", cmp.Diff(ipadm0, ipadm1, cmpopts.EquateComparable(netip.Prefix{}, netip.Addr{})))
			}
			mu.Lock()
			if len(calls) != 0 {
				t.Errorf("kernel calls after shutdown: %v", calls)
			}
			mu.Unlock()
		})
	}
}
